"""Whitelisted sorting for lists: the URL names a column, never a database field.

In the view::

    SORTS = {"received": ("received_at", "pk"), "name": ("name", "pk")}
    sort = pick_sort(request.GET.get("sort"), SORTS, default="-received")
    rows = queryset.order_by(*sort.order_by)

In the template (given ``key=sort.key``), one header per sortable column::

    {% include "components/sort_header.html" with column="name" label="Name" current_sort=key %}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sort:
    key: str  # as in the URL: "name" (ascending) or "-name" (descending)
    order_by: tuple[str, ...]  # for QuerySet.order_by

    @property
    def column(self) -> str:
        return self.key.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.key.startswith("-")


def pick_sort(requested: str | None, allowed: Mapping[str, Sequence[str]], default: str) -> Sort:
    """The sort asked for if its column is in ``allowed``, else ``default`` (which must be)."""
    for key in (requested or "", default):
        column = key.removeprefix("-")
        if column in allowed:
            fields = allowed[column]
            if key.startswith("-"):
                fields = [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
            return Sort(key, tuple(fields))
    raise ValueError(f"default sort {default!r} is not one of {sorted(allowed)}")
