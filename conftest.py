"""Suite-wide test isolation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; no test may inherit another's."""
    from django.conf import settings

    if settings.configured:  # the pure-core tests may run without Django
        from django.core.cache import cache

        cache.clear()
    yield
