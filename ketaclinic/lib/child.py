"""Running ``ketaclinic`` (or Python) in a child process on its own data directory.

Used by the tests and benchmarks that exercise the real command line. None of this process's
ketaclinic, Django or database settings leak into the child unless passed on purpose.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def child_env(data_dir: Path, settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child with its own ``KETACLINIC_DATA_DIR`` plus ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KETACLINIC_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["KETACLINIC_DATA_DIR"] = str(data_dir)
    env.update(settings or {})
    return env


def run_python(
    data_dir: Path,
    *args: str,
    settings: Mapping[str, str] | None = None,
    timeout_s: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` in the project root; output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=child_env(data_dir, settings),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def run_ketaclinic(
    data_dir: Path,
    *args: str,
    settings: Mapping[str, str] | None = None,
    timeout_s: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ketaclinic ARGS`` on ``data_dir``."""
    return run_python(data_dir, "-m", "ketaclinic", *args, settings=settings, timeout_s=timeout_s)
