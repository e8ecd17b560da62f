"""The infusion session's models, by workflow: clinic settings and rules (``settings``), the
session and its checks (``session``), and what is charted at the chair (``entries``)."""

from ketaclinic.infusions.models.discharge import AfterEffectsCheck
from ketaclinic.infusions.models.entries import (
    AdverseEvent,
    NoteAddendum,
    PumpEvent,
    RecoveryAssessment,
    RescueDose,
    RuleFiring,
    SessionNote,
    VitalsReading,
)
from ketaclinic.infusions.models.session import (
    CheckOverride,
    InfusionSession,
    PreCheck,
    SessionTransition,
)
from ketaclinic.infusions.models.settings import FormularyDrug, InfusionSettings, ThresholdRule

__all__ = [
    "AdverseEvent",
    "AfterEffectsCheck",
    "CheckOverride",
    "FormularyDrug",
    "InfusionSession",
    "InfusionSettings",
    "NoteAddendum",
    "PreCheck",
    "PumpEvent",
    "RecoveryAssessment",
    "RescueDose",
    "RuleFiring",
    "SessionNote",
    "SessionTransition",
    "ThresholdRule",
    "VitalsReading",
]
