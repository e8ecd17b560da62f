"""The patient record: who the patient is (``record``) and the histories appended to it
(``history``). Histories are never overwritten: a wrong entry is struck through with a reason
(``HistoryEntry.strike``) and the right one appended."""

from ketaclinic.patients.models.history import (
    Allergy,
    AllergySeverity,
    BloodPressureReading,
    BodyMeasurement,
    Diagnosis,
    HistoryEntry,
    MeasurementMethod,
    MedicalHistoryAnswer,
    Medication,
    MedicationFlag,
    PsychiatricHistory,
    ReproductiveStatus,
    Source,
    SubstanceUse,
    SubstanceUsePattern,
    TriState,
)
from ketaclinic.patients.models.record import (
    ChartSettings,
    GenderIdentity,
    Patient,
    PatientStatus,
    SafetyFlag,
    SexAtBirth,
)

__all__ = [
    "Allergy",
    "AllergySeverity",
    "BloodPressureReading",
    "BodyMeasurement",
    "ChartSettings",
    "Diagnosis",
    "GenderIdentity",
    "HistoryEntry",
    "MeasurementMethod",
    "MedicalHistoryAnswer",
    "Medication",
    "MedicationFlag",
    "Patient",
    "PatientStatus",
    "PsychiatricHistory",
    "ReproductiveStatus",
    "SafetyFlag",
    "SexAtBirth",
    "Source",
    "SubstanceUse",
    "SubstanceUsePattern",
    "TriState",
]
