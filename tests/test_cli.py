"""The `ketaclinic` command line contract, run as a real subprocess on a throwaway data dir."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ketaclinic.lib.child import run_ketaclinic


def ketaclinic(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_ketaclinic(tmp_path, *args)


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

    for workers in ("1", "2"):  # waitress and gunicorn alike
        serve = ketaclinic(tmp_path, "serve", "--workers", workers)
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
