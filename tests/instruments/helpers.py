"""Shared helpers of the instrument tests."""

from __future__ import annotations


def items_summing_to(total: int, n: int, top: int) -> list[int]:
    """n item values in 0..top, filled from item 1, adding up to total."""
    out = []
    for _ in range(n):
        v = min(top, total)
        out.append(v)
        total -= v
    assert total == 0
    return out
