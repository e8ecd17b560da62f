"""The pre-infusion checklist (clinical reference §3.3): record an item, override a failed one.

``record_check`` appends one ``PreCheck`` (the newest per item counts; earlier ones stay as
the history) whose result is computed by ``prechecks_items`` from what was entered or found.
A check recorded while the patient is checked in begins the checks (``begin_checks``).
``override_check`` is a physician's decision to start despite a failed or missing item, with
the reason; it counts for the item's newest result only, so a later failing re-check needs a
new decision. ``checklist(session)`` is the state of every item (two queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import policies, states
from ketaclinic.infusions.actions import prechecks_items as items
from ketaclinic.infusions.actions._base import append_once, bump, lock, require, transition
from ketaclinic.infusions.models import CheckOverride, InfusionSession, PreCheck, VitalsReading
from ketaclinic.infusions.models.entries import Phase
from ketaclinic.infusions.models.session import CheckItem, CheckResult
from ketaclinic.infusions.queries import settings_for

#: States in which the checklist is filled in.
CHECK_STATES = frozenset({states.CHECKED_IN, states.PRECHECKS})

Judge = Callable[..., items.Outcome]
JUDGES: dict[str, Judge] = {
    CheckItem.IDENTITY: items.identity,
    CheckItem.CONSENTS: items.consents,
    CheckItem.ELIGIBILITY: items.eligibility,
    CheckItem.MEDICATIONS: items.medications,
    CheckItem.PREGNANCY: items.pregnancy,
    CheckItem.FASTING: items.fasting,
    CheckItem.QUESTIONNAIRES: items.questionnaires,
    CheckItem.ESCORT: items.escort,
    CheckItem.EQUIPMENT: items.equipment,
}
#: Items the server finds out for itself (the form is one "check now" button).
COMPUTED = frozenset({CheckItem.CONSENTS, CheckItem.ELIGIBILITY, CheckItem.QUESTIONNAIRES})


@dataclass(frozen=True)
class ItemStatus:
    item: str
    label: str
    newest: PreCheck | None
    override: CheckOverride | None

    @property
    def state(self) -> str:
        """pass, fail, na or missing."""
        return self.newest.result if self.newest is not None else "missing"

    @property
    def passed(self) -> bool:
        return self.state in (CheckResult.PASS, CheckResult.NOT_APPLICABLE)

    @property
    def ok(self) -> bool:
        """Passed, or a physician decided to go on anyway."""
        return self.passed or self.override is not None

    @property
    def blocker(self) -> str:
        if self.ok:
            return ""
        if self.newest is None:
            return "not checked yet"
        return f"failed: {self.newest.summary} (needs a physician's override)"


def checklist(session: InfusionSession) -> list[ItemStatus]:
    """Every item with its newest result and the override that stands for it, if any."""
    newest: dict[str, PreCheck] = {}
    for row in PreCheck.objects.filter(session=session).select_related("recorded_by"):
        newest[row.item] = row  # ordered by recorded_at, id: the last one wins
    standing: dict[str, CheckOverride] = {}
    for o in CheckOverride.objects.filter(session=session).select_related("by"):
        current = newest.get(o.item)
        if o.precheck_id == (current.pk if current is not None else None):
            standing[o.item] = o
    return [
        ItemStatus(value, str(label), newest.get(value), standing.get(value))
        for value, label in CheckItem.choices
    ]


def _vitals(
    by: Membership, session: InfusionSession, answers: Mapping[str, Any], key: str,
    now: dt.datetime,
) -> tuple[items.Outcome, bool]:  # fmt: skip
    """The baseline reading (stored once per form key) judged against the go/no-go limits."""
    values = items.vitals_values(answers)
    temperature = answers.get("temperature_c")
    reading, created = append_once(
        VitalsReading, session=session, idempotency_key=key, phase=Phase.BASELINE,
        temperature_c=temperature, clinical_at=answers.get("clinical_at") or now,
        entered_at=timezone.now(), entered_by=by.user, **values,
    )  # fmt: skip
    shown = {**values, "temperature_c": temperature}
    broken = items.go_no_go(values, settings_for(session.clinic))
    detail = {"reading": reading.pk, **values, "temperature_c": str(temperature) if
              temperature is not None else None, "failed": broken}  # fmt: skip
    result = CheckResult.FAIL.value if broken else CheckResult.PASS.value
    return items.Outcome(result, items.vitals_summary(shown, broken), detail), created


def record_check(
    by: Membership,
    session: InfusionSession,
    item: str,
    *,
    answers: Mapping[str, Any],
    idempotency_key: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> PreCheck:
    """Record checklist ``item`` from ``answers`` (the cleaned form: see ``prechecks_items``
    for each item's names). The same ``idempotency_key`` twice stores one row."""
    require(policies.can_chart(by, session), "Your role does not record pre-infusion checks.")
    if item not in CheckItem.values:
        raise ValidationError({"__all__": "No such checklist item."})
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError({"idempotency_key": "Missing form key: reload the page."})
    moment = now or timezone.now()
    with transaction.atomic():
        locked = lock(session)
        if locked.state not in CHECK_STATES:
            raise ValidationError(
                {"__all__": f"Checks are recorded once the patient is checked in and before "
                 f"the start; the session is {locked.state_label}."}
            )  # fmt: skip
        stored = PreCheck.objects.filter(
            session=locked, item=item, detail__key=idempotency_key
        ).first()
        if stored is not None:
            return stored
        if item == CheckItem.VITALS:
            outcome, _created = _vitals(by, locked, answers, idempotency_key, moment)
        else:
            judge = JUDGES[item]
            outcome = judge(locked, answers, limits=settings_for(locked.clinic), now=moment)
        row = PreCheck.objects.create(
            session=locked, item=item, result=outcome.result,
            detail={**outcome.detail, "key": idempotency_key}, summary=outcome.summary,
            recorded_at=moment, recorded_by=by.user,
        )  # fmt: skip
        if item == CheckItem.ESCORT:
            d = outcome.detail
            locked.escort_name, locked.escort_relationship = d["name"], d["relationship"]
            locked.escort_phone = d["phone"]
            bump(locked, ["escort_name", "escort_relationship", "escort_phone"])
        record(
            "infusions.precheck.record", request=request, by=by, clinic=locked.clinic,
            obj=locked, patient_ref=locked.patient_id,
            after={"item": item, "result": outcome.result, "precheck": row.pk},
        )  # fmt: skip
        if locked.state == states.CHECKED_IN:
            transition(by, locked, "begin_checks", request=request)
    return row


def override_check(
    by: Membership,
    session: InfusionSession,
    item: str,
    *,
    reason: str,
    request: HttpRequest | None = None,
) -> CheckOverride:
    """A physician goes on despite ``item`` failing (or not checked), for the reason given."""
    require(policies.can_override(by, session), "Only a physician overrides a failed check.")
    if item not in CheckItem.values:
        raise ValidationError({"__all__": "No such checklist item."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason (it shows in the note)."})
    with transaction.atomic():
        locked = lock(session)
        if locked.state not in CHECK_STATES:
            raise ValidationError(
                {"__all__": f"Nothing to override while the session is {locked.state_label}."}
            )
        status = next(s for s in checklist(locked) if s.item == item)
        if status.passed:
            raise ValidationError({"__all__": f"{status.label}: passed, nothing to override."})
        if status.override is not None:
            return status.override
        row = CheckOverride.objects.create(
            session=locked, item=item, precheck=status.newest, reason=reason.strip(),
            at=timezone.now(), by=by.user,
        )  # fmt: skip
        record(
            "infusions.precheck.override", request=request, by=by, clinic=locked.clinic,
            obj=locked, patient_ref=locked.patient_id, reason=reason.strip(),
            after={"item": item, "state": status.state, "override": row.pk,
                   "precheck": status.newest.pk if status.newest else None},
        )  # fmt: skip
    return row
