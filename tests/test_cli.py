"""The `ketaclinic` command line contract, run as a real subprocess on a throwaway data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ketaclinic(
    tmp_path: Path, *args: str, mode: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETACLINIC_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["KETACLINIC_DATA_DIR"] = str(tmp_path)
    if mode:
        env["KETACLINIC_MODE"] = mode
    return subprocess.run(
        [sys.executable, "-m", "ketaclinic", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_it_prints_usage_and_refuses_unknown_commands(tmp_path: Path) -> None:
    assert ketaclinic(tmp_path, "--help").returncode == 0
    result = ketaclinic(tmp_path, "frobnicate")
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr


def test_it_creates_the_demo_once_and_production_refuses_to_start_beside_it(tmp_path: Path) -> None:
    first = ketaclinic(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "coordinator@demo.ketaclinic.test" in first.stdout
    assert "TOTP secret" in first.stdout
    assert (tmp_path / "ketaclinic.sqlite3").exists()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0

    again = ketaclinic(tmp_path, "demo")
    assert again.returncode == 0
    assert "already exists" in again.stdout

    serve = ketaclinic(tmp_path, "serve")
    assert serve.returncode == 1
    assert "demo accounts exist" in serve.stderr

    verify = ketaclinic(tmp_path, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert "audit chain OK" in verify.stdout


def test_it_passes_any_management_command_through(tmp_path: Path) -> None:
    result = ketaclinic(tmp_path, "manage", "showmigrations", "clinics")
    assert result.returncode == 0, result.stderr
    assert "0001_initial" in result.stdout


def test_it_rejects_a_bad_audit_subcommand(tmp_path: Path) -> None:
    result = ketaclinic(tmp_path, "audit", "rewrite")
    assert result.returncode == 2
    assert "usage: ketaclinic audit verify" in result.stderr
