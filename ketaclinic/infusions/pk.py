"""Predicted ketamine concentration from what was charted (the live workflow fills this in).

Contract other workflows code against: ``session_prediction(session)`` returns a
``SessionPrediction`` (delivered mg so far, the predicted peaks) or ``None`` when nothing was
given yet or the session has no preparation recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.infusions.models import InfusionSession


@dataclass(frozen=True)
class SessionPrediction:
    delivered_mg: float
    peak_plasma_ng_per_ml: float
    peak_plasma_time_min: float
    peak_effect_ng_per_ml: float | None
    model_id: str


def session_prediction(session: InfusionSession) -> SessionPrediction | None:
    """Not built yet on this branch: always ``None``."""
    return None
