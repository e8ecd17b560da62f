"""Suite-wide test isolation."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Tests marked ``redis`` need a Redis server, which a bare machine (Python, make and git) does
# not have. They run when KETACLINIC_TEST_REDIS_URL names one (CI sets it and starts Redis;
# there they fail, never skip, when it does not answer) and are otherwise deselected.
REDIS_ENV = "KETACLINIC_TEST_REDIS_URL"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(REDIS_ENV):
        return
    kept = [item for item in items if item.get_closest_marker("redis") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; no test may inherit another's."""
    from django.conf import settings

    if settings.configured:  # the pure-core tests may run without Django
        from django.core.cache import cache

        cache.clear()
    yield
