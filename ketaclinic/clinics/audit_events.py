"""The audit actions the clinics app (and the demo seed) records (``ketaclinic.audit.registry``)."""

from __future__ import annotations

from collections.abc import Collection

from ketaclinic.audit.registry import register, register_kind


def _clinic_names(ids: Collection[str]) -> dict[str, str]:
    from ketaclinic.clinics.models import Clinic

    found = Clinic.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {str(pk): name for pk, name in found.values_list("pk", "name")}


CLINIC = "clinics.clinic"
register_kind(CLINIC, "Clinic", describe=_clinic_names)

register("clinic.settings.update", "Changed the clinic's settings", kind=CLINIC)
register("operator.clinic.create", "Created a clinic (operator command)", kind=CLINIC)
register(
    "operator.membership.grant",
    "Gave someone a role in a clinic (operator command)",
    kind="accounts.membership",
)
register("demo.create", "Created the demo clinic", kind=CLINIC)
