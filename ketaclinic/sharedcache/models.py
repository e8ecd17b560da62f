"""The database cache's table, declared as a model so that ``migrate`` creates it.

Django's database cache reads and writes this table with its own SQL, never through the ORM;
the model is here only so that a fresh data directory (and the test database) gets the table
from the ordinary migrations instead of a separate ``createcachetable`` step. Its columns are
exactly those ``createcachetable`` makes.
"""

from __future__ import annotations

from django.db import models

CACHE_TABLE = "ketaclinic_cache"


class CacheEntry(models.Model):
    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = CACHE_TABLE
        verbose_name = "cache entry"
        verbose_name_plural = "cache entries"

    def __str__(self) -> str:
        return self.cache_key
