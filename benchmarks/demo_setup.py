"""Shared set-up of the page benchmarks: Django on a throwaway SQLite data directory with the
migrations applied and the demo clinic created (production middleware, plain-HTTP cookies)."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def demo_clinic(data_dir: str) -> Any:
    """Set Django up on ``data_dir``, migrate, create the demo clinic and return it."""
    os.environ["KETACLINIC_DATA_DIR"] = data_dir
    os.environ["KETACLINIC_MODE"] = "test"  # the production middleware, plain-HTTP cookies
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.settings"
    # whitenoise warns that the static root does not exist (collectstatic is not run here).
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command

    from ketaclinic.demo import create_demo

    call_command("migrate", interactive=False, verbosity=0)
    return create_demo()


def seconds_per_get(client: Any, url: str, requests: int) -> float:
    """Seconds per request for ``requests`` GETs of ``url``; stops the run on a non-200."""
    import time

    start = time.perf_counter()
    for _ in range(requests):
        response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(
            f"{url} answered {response.status_code}; the benchmark is not measuring it"
        )
    return elapsed / requests
