"""What other apps add to a session without this app importing them.

``register_sign_blocker(fn)``: ``fn(session)`` returns a list of reasons the note may not be
signed yet (empty when nothing blocks). The controlled-substance ledger registers one: a
session whose ketamine is not reconciled (drawn = administered + wasted) cannot be signed.
The note screen lists every reason, and ``actions.note.sign_note`` refuses while any remains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SignBlocker = Callable[[Any], list[str]]
_sign_blockers: list[SignBlocker] = []


def register_sign_blocker(fn: SignBlocker) -> None:
    if fn not in _sign_blockers:
        _sign_blockers.append(fn)


def unregister_sign_blocker(fn: SignBlocker) -> None:
    """For tests that install a blocker of their own."""
    if fn in _sign_blockers:
        _sign_blockers.remove(fn)


def sign_blockers(session: Any) -> list[str]:
    reasons: list[str] = []
    for fn in _sign_blockers:
        reasons.extend(fn(session))
    return reasons
