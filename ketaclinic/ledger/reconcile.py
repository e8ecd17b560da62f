"""Per-session reconciliation (filled in below the models commit)."""

from __future__ import annotations

from typing import Any


def sign_blocker(session: Any) -> list[str]:
    return []
