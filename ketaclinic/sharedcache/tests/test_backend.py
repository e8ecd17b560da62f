"""The database cache's increment keeps the entry's expiry (Django's own resets it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from ketaclinic.sharedcache.backends import SharedDatabaseCache
from ketaclinic.sharedcache.models import CACHE_TABLE, CacheEntry


class IncrementTests(TestCase):
    def setUp(self) -> None:
        self.cache = SharedDatabaseCache(CACHE_TABLE, {"KEY_PREFIX": "t"})

    def test_it_adds_one_and_keeps_the_window_it_was_added_with(self) -> None:
        assert self.cache.add("hits", 1, 3600)
        entry = CacheEntry.objects.get()
        added_expiry = entry.expires
        assert added_expiry - timezone.now() > timedelta(minutes=59)
        assert self.cache.incr("hits") == 2
        assert self.cache.incr("hits", 3) == 5
        assert self.cache.decr("hits") == 4
        assert self.cache.get("hits") == 4
        entry.refresh_from_db()
        assert entry.expires == added_expiry  # not moved to "five minutes from now"
        assert entry.cache_key == "t:1:hits"

    def test_a_missing_or_expired_counter_is_not_found(self) -> None:
        with pytest.raises(ValueError, match="not found"):
            self.cache.incr("never")
        self.cache.set("old", 7, 60)
        CacheEntry.objects.filter(cache_key="t:1:old").update(
            expires=timezone.now() - timedelta(seconds=1)
        )
        with pytest.raises(ValueError, match="not found"):
            self.cache.incr("old")
