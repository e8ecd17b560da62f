"""The session screen is a stack of panels; each workflow module registers its own.

``register_panel(Panel(...))``: ``context(request, session)`` returns the panel template's
context; the panel shows while the session is in one of ``states`` (all states when empty).
The screen includes ``template`` with that context plus ``session``; the live part of the
screen (``live=True`` panels) is re-rendered by the htmx poll without a page reload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ketaclinic.access.request import ClinicRequest
from ketaclinic.infusions.models import InfusionSession

ContextFn = Callable[[ClinicRequest, InfusionSession], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    slug: str
    title: str
    template: str
    context: ContextFn
    order: int = 50
    states: frozenset[str] = field(default_factory=frozenset)
    live: bool = False


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[panel.slug] = panel


def panels_for(session: InfusionSession, *, live: bool | None = None) -> list[Panel]:
    chosen = [
        p
        for p in _panels.values()
        if (not p.states or session.state in p.states) and (live is None or p.live == live)
    ]
    return sorted(chosen, key=lambda p: (p.order, p.slug))


def rendered(
    request: ClinicRequest, session: InfusionSession, *, live: bool | None = None
) -> list[dict[str, Any]]:
    """Each shown panel with its context, for ``{% include panel.template with ... %}``."""
    out = []
    for p in panels_for(session, live=live):
        ctx = {"session": session, **p.context(request, session)}
        out.append({"slug": p.slug, "title": p.title, "template": p.template, "ctx": ctx})
    return out
