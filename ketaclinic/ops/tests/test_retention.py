"""Retention keeps exactly the newest N backups, or those younger than D days, and touches
nothing that is not a complete backup."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ketaclinic.ops import retention

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _backup(parent: Path, days_ago: float, suffix: str = "") -> Path:
    moment = NOW - dt.timedelta(days=days_ago)
    path = parent / f"ketaclinic-backup-{moment:%Y%m%dT%H%M%S}Z{suffix}"
    path.mkdir(parents=True)
    created = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    (path / "manifest.json").write_text(json.dumps({"created_at": created}))
    return path


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    for days in (9, 7, 5, 3, 1):
        _backup(tmp_path, days)
    # Not complete backups, never removed: a partial one, one without a manifest, other files.
    (tmp_path / ".ketaclinic-backup-20261130T000000Z.partial").mkdir()
    (tmp_path / "ketaclinic-backup-20261120T000000Z").mkdir()
    (tmp_path / "notes.txt").write_text("keep me")
    return tmp_path


def _names(paths: list[Path]) -> list[str]:
    return sorted(p.name for p in paths)


def test_keep_n_keeps_exactly_the_newest_n(parent: Path) -> None:
    before = retention.existing(parent)
    assert len(before) == 5
    removed = retention.prune(parent, keep=3)
    assert _names(removed) == _names([b.path for b in before[:2]])
    assert [b.path for b in retention.existing(parent)] == [b.path for b in before[2:]]
    assert (parent / "notes.txt").exists() and (
        parent / "ketaclinic-backup-20261120T000000Z"
    ).exists()
    assert (parent / ".ketaclinic-backup-20261130T000000Z.partial").exists()
    assert retention.prune(parent, keep=3) == []


def test_keep_days_removes_the_older_ones_but_never_the_protected_backup(parent: Path) -> None:
    oldest = retention.existing(parent)[0].path
    removed = retention.prune(parent, keep_days=4, now=NOW, protect=oldest)
    assert len(removed) == 2  # 7 and 5 days old; the 9-day-old one is protected
    assert [b.path.name for b in retention.existing(parent)][0] == oldest.name
    assert len(retention.existing(parent)) == 3


def test_two_backups_in_one_second_are_ordered_by_time_then_name(tmp_path: Path) -> None:
    first = _backup(tmp_path, 0)
    second = _backup(tmp_path, 0, "-2")
    assert [b.path for b in retention.existing(tmp_path)] == [first, second]
    assert retention.prune(tmp_path, keep=1) == [first]
