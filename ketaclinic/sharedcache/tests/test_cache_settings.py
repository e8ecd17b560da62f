"""What `serve` counts in: the database cache by default, Redis when KETACLINIC_CACHE_URL says."""

from __future__ import annotations

from pathlib import Path

from ketaclinic.lib.child import run_python
from ketaclinic.sharedcache.models import CACHE_TABLE

SHOW = (
    "from ketaclinic import settings as s; c = s.CACHES['default']; "
    "print(c['BACKEND'], c['LOCATION'], s.RATELIMIT_USE_CACHE, s.AXES_CACHE, s.AXES_HANDLER)"
)


def test_serve_counts_in_the_database_by_default(tmp_path: Path) -> None:
    result = run_python(tmp_path, "-c", SHOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "ketaclinic.sharedcache.backends.SharedDatabaseCache",
        CACHE_TABLE,
        "default",
        "default",
        "axes.handlers.database.AxesDatabaseHandler",
    ]


def test_a_redis_url_moves_the_counters_to_redis(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6379/3"
    result = run_python(tmp_path, "-c", SHOW, settings={"KETACLINIC_CACHE_URL": url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.core.cache.backends.redis.RedisCache", url]


def test_a_cache_url_that_is_not_redis_is_refused(tmp_path: Path) -> None:
    settings = {"KETACLINIC_CACHE_URL": "memcached://127.0.0.1:11211"}
    result = run_python(tmp_path, "-c", SHOW, settings=settings)
    assert result.returncode != 0
    assert "KETACLINIC_CACHE_URL must name Redis" in result.stderr
