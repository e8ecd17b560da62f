"""``ketaclinic audit verify`` as a real subprocess on a throwaway SQLite data directory."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from ketaclinic.audit import triggers
from ketaclinic.lib.child import run_ketaclinic


def ketaclinic(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_ketaclinic(data_dir, *args)


def test_it_passes_the_demo_chain_and_names_a_tampered_entry(tmp_path: Path) -> None:
    demo = ketaclinic(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr

    clean = ketaclinic(tmp_path, "audit", "verify")
    assert clean.returncode == 0, clean.stderr
    assert "audit chain OK" in clean.stdout

    db = sqlite3.connect(tmp_path / "ketaclinic.sqlite3")
    try:
        (first_id,) = db.execute("SELECT min(id) FROM audit_auditentry").fetchone()
        assert first_id is not None
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit_auditentry SET action = 'forged' WHERE id = ?", (first_id,))
        for statement in triggers.SQLITE_REMOVE:
            db.execute(statement)
        db.execute("UPDATE audit_auditentry SET action = 'forged' WHERE id = ?", (first_id,))
        for statement in triggers.SQLITE_INSTALL:
            db.execute(statement)
        db.commit()
    finally:
        db.close()

    broken = ketaclinic(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert f"BROKEN at entry #{first_id}:" in broken.stderr
