"""What other apps add to a patient's chart: header items and tabs.

The chart header (allergies, open safety flags, eligibility, care team, live consents, next
appointment) and the tab bar are assembled from registrations, so each clinical app adds its
part from its own ``AppConfig.ready`` and the patients app imports none of them:

* ``register_header_item(HeaderItem(...))``: ``context(patient, viewer)`` returns the context
  for ``template`` (included in the header), or ``None`` to leave the item out.
* ``register_tab(ChartTab(...))``: a tab whose page is the URL ``url_name`` with the patient's
  pk; ``section`` is the sharing section (``patients.sections``) an outside professional needs
  to see it, and ``roles`` the staff roles that see it; ``break_glass`` says whether other
  staff reading the chart by break-glass see it too (False when its view admits roles only).

``viewer`` is a ``patients.access.ChartViewer``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketaclinic.patients.access import ChartViewer
    from ketaclinic.patients.models import Patient


@dataclass(frozen=True)
class HeaderItem:
    key: str
    order: int
    template: str
    context: Callable[[Patient, ChartViewer], dict[str, Any] | None]
    section: str = "summary"


@dataclass(frozen=True)
class ChartTab:
    slug: str
    label: str
    order: int
    url_name: str
    section: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every chart reader
    break_glass: bool = True


_HEADER: dict[str, HeaderItem] = {}
_TABS: dict[str, ChartTab] = {}


def register_header_item(item: HeaderItem) -> None:
    _HEADER[item.key] = item


def register_tab(tab: ChartTab) -> None:
    _TABS[tab.slug] = tab


def header_items() -> list[HeaderItem]:
    return sorted(_HEADER.values(), key=lambda i: (i.order, i.key))


def tabs() -> list[ChartTab]:
    return sorted(_TABS.values(), key=lambda t: (t.order, t.slug))
