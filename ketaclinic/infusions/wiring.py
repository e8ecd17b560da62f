"""Registers each workflow's panels and its hooks into other apps (imported at app ready).

Each workflow adds one line here (its ``register()``), nothing else."""

from __future__ import annotations

from ketaclinic.infusions import board as live_board
from ketaclinic.infusions import urls  # noqa: F401  (imports every views module: their panels)
from ketaclinic.infusions.views import flow as _flow

_flow.register()

live_board.register()
