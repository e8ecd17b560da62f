"""What other apps do when infusion visits are booked, without this app importing them.

``register_booked(fn)``: ``fn(patient, starts)`` runs inside the transaction that books
``starts`` (the visits' start times) for ``patient``. The measurement app plans the
questionnaires due before and after each infusion from it (``plan_infusion_sends``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

BookedFn = Callable[[Any, Sequence[dt.datetime]], object]
_booked: list[BookedFn] = []


def register_booked(fn: BookedFn) -> None:
    if fn not in _booked:
        _booked.append(fn)


def booked(patient: Any, starts: Sequence[dt.datetime]) -> None:
    for fn in _booked:
        fn(patient, starts)
