"""The clinic's per-clinic clinical settings pages ("Clinic rules"), listed for the people who
may change them: physicians reach them from their home page, clinic admins from the clinic
settings' "Clinical defaults" page (physicians cannot open the clinic settings)."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.access.policy import acts_as
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Role

#: (URL name, label, what it sets) of each clinic-rules page.
PAGES: tuple[tuple[str, str, str], ...] = (
    (
        "eligibility:settings",
        "Eligibility screening",
        "Psychosis as absolute or relative, resting blood pressure and benzodiazepine limits.",
    ),
    (
        "patients:settings",
        "Chart settings",
        "How many adequate antidepressant trials make depression treatment-resistant.",
    ),
    ("outcomes:settings", "Outcome definitions", "The MADRS and PCL-5 remission rules."),
    (
        "treatment:settings",
        "Treatment settings",
        "The PK model for plan previews, borrowed variability, the 'time above' level, the "
        "minimum observation time and a default mg ceiling.",
    ),
    ("treatment:protocols", "Dosing protocols", "Copy a built-in protocol and edit your copy."),
    (
        "infusions:settings",
        "Infusion settings",
        "Reading intervals, go/no-go limits, fasting and holds, discharge scores, the threshold "
        "rules and the rescue formulary.",
    ),
)


def links() -> list[dict[str, str]]:
    return [{"url": reverse(name), "label": label, "help": text} for name, label, text in PAGES]


def back_link(request: ClinicRequest) -> tuple[str, str]:
    """Where a clinic-rules page leads back to: the clinic settings' "Clinical defaults" page
    for a clinic admin, the home page (with its "Clinic rules") for anyone else."""
    if acts_as(request.membership, [Role.CLINIC_ADMIN]):
        return reverse("clinics:settings_group", kwargs={"slug": "clinical-defaults"}), (
            "Clinical defaults"
        )
    return reverse("web:home"), "Home"
