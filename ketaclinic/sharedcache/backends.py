"""Django's database cache with an increment that is atomic and keeps the entry's expiry.

django-ratelimit counts with ``cache.add(key, 1, window)`` and then ``cache.incr(key)``.
Django's ``DatabaseCache`` inherits ``BaseCache.incr``, which is a read followed by a separate
write with the *default* timeout. That loses counts when two server processes increment at
once (both read 3, both write 4), and it moves the entry's expiry to five minutes after the
last request, so a ten-minute window could restart halfway through. Here the row is locked
for the read and the write (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the settings'
IMMEDIATE transactions take the write lock up front) and only the value is rewritten.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

_MISSING = object()


class SharedDatabaseCache(DatabaseCache):
    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self.table_name = table

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self.table_name)
        column = quote_name("cache_key")
        stored_key = self.make_and_validate_key(key, version=version)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # The table and column names are quoted identifiers from settings, not input.
            cursor.execute(
                f"SELECT {column} FROM {table} WHERE {column} = %s{lock}",  # noqa: S608
                [stored_key],
            )
            # get() inside the lock reads the row the way Django stores it (and treats an
            # expired row as missing).
            value = self.get(key, _MISSING, version=version)
            if value is _MISSING:
                raise ValueError(f"Key {key!r} not found")
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol))
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s WHERE {column} = %s",  # noqa: S608
                [encoded.decode("latin1"), stored_key],
            )
        return new_value
