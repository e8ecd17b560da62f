"""Read helpers other apps call: which consents hold now, and what asks for re-consent.

``has_live_consent(patient, "off_label_treatment")`` is what the treatment plan and the
infusion check-in ask before going ahead. "Live" means signed and not past its expiry at this
moment (``Consent.expires_at``), whether or not the daily task has recorded the expiry yet.
"""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from ketaclinic.clinics.models import Clinic
from ketaclinic.consents.models import Consent, ConsentTemplate, Kind, Status
from ketaclinic.patients.models import Patient


def _live(queryset: QuerySet[Consent]) -> QuerySet[Consent]:
    now = timezone.now()
    return queryset.filter(status=Status.SIGNED).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def live_consents(patient: Patient) -> list[Consent]:
    """The patient's consents that hold now, newest first (template and professional loaded)."""
    return list(
        _live(Consent.objects.filter(patient=patient)).select_related("template", "professional")
    )


def has_live_consent(patient: Patient, kind: str) -> bool:
    """True when a signed, unexpired, unrevoked consent of ``kind`` holds for ``patient``."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown consent kind {kind!r}")
    return _live(Consent.objects.filter(patient=patient, template__kind=kind)).exists()


def latest_versions(clinic: Clinic) -> dict[str, int]:
    """The newest published version number of each kind the clinic has saved."""
    rows = (
        ConsentTemplate.objects.filter(clinic=clinic)
        .values("kind")
        .annotate(latest=Max("version"))
        .values_list("kind", "latest")
    )
    return {str(kind): int(latest) for kind, latest in rows}


def latest_template(clinic: Clinic, kind: str) -> ConsentTemplate | None:
    return ConsentTemplate.objects.filter(clinic=clinic, kind=kind).order_by("-version").first()


def reconsent_reasons(consent: Consent, latest: dict[str, int]) -> list[str]:
    """Why a live consent asks the patient to consent again (empty: it does not).

    A material change (clinical reference 8.4): a newer published version of the same text,
    or a new indication recorded against it (``Consent.reconsent_reason``)."""
    if not consent.is_live:
        return []
    reasons = []
    newest = latest.get(consent.template.kind, consent.template.version)
    if newest > consent.template.version:
        reasons.append(
            f"Version {newest} of this text was published after the patient signed "
            f"version {consent.template.version}."
        )
    if consent.reconsent_reason:
        reasons.append(consent.reconsent_reason)
    return reasons
