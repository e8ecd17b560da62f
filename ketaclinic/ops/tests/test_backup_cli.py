"""``ketaclinic backup`` end to end on SQLite: retention keeps exactly N, each backup anchors
its audit head, and those anchors catch a cut chain that ``audit verify`` alone passes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ketaclinic.audit import triggers
from ketaclinic.ops.tests.helpers import ketaclinic


def test_backups_are_kept_to_n_and_their_anchors_catch_a_cut_chain(
    tmp_path: Path, sqlite_clinic: Callable[[Path], Path]
) -> None:
    source = sqlite_clinic(tmp_path / "source")
    backups = tmp_path / "backups"
    for _ in range(2):
        result = ketaclinic(source, "backup", "--to", str(backups), "--keep", "1")
        assert result.returncode == 0, result.stderr
    (kept,) = [p.name for p in backups.iterdir()]
    assert "removed old backup " in result.stdout and kept in result.stdout
    lines = (source / "anchors" / "anchors.jsonl").read_text().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert (first["source"], second["source"], second["backup"]) == ("backup", "backup", kept)
    assert second["entry_id"] == first["entry_id"] + 1  # each backup is itself audited

    db = sqlite3.connect(source / "ketaclinic.sqlite3")
    try:
        keep_id = first["entry_id"] - 1
        for statement in triggers.SQLITE_REMOVE:
            db.execute(statement)
        db.execute("DELETE FROM audit_auditentry WHERE id > ?", (keep_id,))
        (kept_hash,) = db.execute(
            "SELECT entry_hash FROM audit_auditentry WHERE id = ?", (keep_id,)
        ).fetchone()
        db.execute(
            "UPDATE audit_auditchainhead SET last_hash = ?, last_entry_id = ?", (kept_hash, keep_id)
        )
        for statement in triggers.SQLITE_INSTALL:
            db.execute(statement)
        db.commit()
    finally:
        db.close()

    plain = ketaclinic(source, "audit", "verify")
    assert plain.returncode == 0, plain.stderr
    anchored = ketaclinic(
        source, "audit", "verify", "--anchors", str(source / "anchors" / "anchors.jsonl")
    )
    assert anchored.returncode == 1
    assert (
        f"anchor line 2 ({second['time']}, entry #{second['entry_id']}, head "
        f"{second['head_hash']}): the chain ends at entry #{keep_id}, before the anchored "
        "entry: entries were removed"
    ) in anchored.stderr
