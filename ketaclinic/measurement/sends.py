"""The sender: due questionnaire sends claimed atomically and sent by the worker.

Claim (:func:`claim`): one conditional UPDATE, the same on SQLite and PostgreSQL, no broker::

    UPDATE measurement_duesend SET status='claimed', claimed_by=<worker>, claimed_at=<now>,
           attempts=attempts+1
     WHERE id=<id> AND available_at <= <now>
       AND (status='pending' OR (status='claimed' AND claimed_at < <now - lease>))

The worker proceeds only when it changed one row, so two workers never send the same row at
once. A worker killed mid-send leaves the row "claimed"; after the lease
(``QUESTIONNAIRE_SEND_LEASE_S``) another worker reclaims it and sends again. The request and
its single-use link are made at the first claim and kept on the row (the token sealed), so a
retry, the rare duplicate after a kill, and every reminder carry the SAME link.

After a send, reminders are planned (``reminder_max`` rows, ``reminder_every_hours`` apart,
each with its own unique key and the same link); each goes only while the request is not
submitted and its link is live, and the schedule active.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import socket
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.lib.messaging import send_email, send_sms
from ketaclinic.measurement import policies, questionnaires
from ketaclinic.measurement.models import (
    DueSend,
    QuestionnaireRequest,
    QuestionnaireSchedule,
    RequestStatus,
    SendKind,
    SendStatus,
)
from ketaclinic.securelinks import actions as links
from ketaclinic.securelinks.models import Purpose

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_DELAY = dt.timedelta(minutes=10)
#: A send more than this late (the worker was off) is not sent any more: a product decision [D].
STALE_AFTER = dt.timedelta(days=2)
BATCH = 200


def worker_id() -> str:
    return f"{socket.gethostname()[:60]}-{os.getpid()}"


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.QUESTIONNAIRE_SEND_LEASE_S)


# --- the token, sealed at rest (AES-256-GCM, key derived from SECRET_KEY) --------------------


def _key() -> bytes:
    return hashlib.sha256(b"ketaclinic due-send link v1|" + settings.SECRET_KEY.encode()).digest()


def seal(token: str, request_id: int) -> str:
    """The token, sealed and bound to its request (a sealed token moved to another row's
    request does not open)."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, token.encode(), f"request:{request_id}".encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, request_id: int) -> str:
    raw = base64.urlsafe_b64decode(value.encode())
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], f"request:{request_id}".encode()).decode()


# --- claiming -----------------------------------------------------------------------------


def claim(row_id: int, worker: str, now: dt.datetime | None = None) -> bool:
    """Take ``row_id`` for ``worker``: True only for the one caller whose UPDATE changed it."""
    moment = now or timezone.now()
    changed = (
        DueSend.objects.filter(pk=row_id, available_at__lte=moment)
        .filter(
            Q(status=SendStatus.PENDING)
            | Q(status=SendStatus.CLAIMED, claimed_at__lt=moment - lease())
        )
        .update(
            status=SendStatus.CLAIMED,
            claimed_by=worker,
            claimed_at=moment,
            attempts=F("attempts") + 1,
        )
    )
    return changed == 1


def _mine(row: DueSend, worker: str) -> Q:
    return Q(pk=row.pk, status=SendStatus.CLAIMED, claimed_by=worker)


def _finish(row: DueSend, worker: str, status: str, note: str = "", **more: object) -> bool:
    return (
        DueSend.objects.filter(_mine(row, worker)).update(status=status, note=note[:200], **more)
        == 1
    )


def sender_for(schedule: QuestionnaireSchedule) -> Membership | None:
    """Who the links are made as: whoever last saved the schedule, or (when they have left)
    the clinic's first active coordinator, nurse or physician."""
    who = schedule.updated_by
    if who is not None and policies.can_send(who, schedule.patient):
        return who
    for member in Membership.objects.select_related("user", "clinic").filter(
        clinic_id=schedule.clinic_id, is_active=True, role__in=policies.ENTER_ROLES
    ):
        if policies.can_send(member, schedule.patient):
            return member
    return None


def _why_not(row: DueSend, now: dt.datetime) -> str:
    """Why this send must not go (it is then cancelled), or ""."""
    schedule = row.schedule
    if not schedule.active:
        return "the schedule is paused"
    if now - row.due_at > STALE_AFTER:
        return "too late: the worker was not running when it was due"
    if row.kind == SendKind.REMINDER:
        req = row.questionnaire_request
        if req is None or req.status not in (RequestStatus.SENT, RequestStatus.STARTED):
            return "the questionnaire was answered or withdrawn"
        if req.link is None or not req.link.is_live:
            return "the link is no longer live"
    return ""


def _prepare(row: DueSend, sender: Membership, worker: str) -> tuple[QuestionnaireRequest, str]:
    """The request and the raw token of this row: made once, at the first claim."""
    if row.questionnaire_request_id is not None and row.link_sealed:
        return row.questionnaire_request, unseal(row.link_sealed, row.questionnaire_request_id)  # type: ignore[return-value]
    schedule, patient = row.schedule, row.schedule.patient
    with transaction.atomic():
        req = QuestionnaireRequest.objects.create(
            clinic=patient.clinic,
            patient=patient,
            instruments=list(schedule.instruments),
            created_by=sender.user,
        )
        link, token = links.create_link(
            sender,
            patient,
            purpose=Purpose.QUESTIONNAIRE,
            target=req,
            lifetime=dt.timedelta(days=questionnaires.LINK_DAYS),
        )
        req.link = link
        req.save(update_fields=["link"])
        if not DueSend.objects.filter(_mine(row, worker)).update(
            questionnaire_request=req, link_sealed=seal(token, req.pk)
        ):
            raise transaction.TransactionManagementError("lost the claim")  # rolls back
        record(
            "measurement.request_send",
            by=sender,
            obj=req,
            patient_ref=patient.pk,
            after={"instruments": list(req.instruments), "link_id": link.pk, "due": row.key},
        )
    return req, token


def _plan_reminders(row: DueSend, sent_at: dt.datetime) -> None:
    schedule = row.schedule
    every = dt.timedelta(hours=schedule.reminder_every_hours)
    for n in range(1, schedule.reminder_max + 1):
        due = sent_at + every * n
        DueSend.objects.get_or_create(
            key=f"sched:{schedule.pk}:reminder:{row.pk}:{n}",
            defaults={
                "schedule": schedule,
                "kind": SendKind.REMINDER,
                "due_at": due,
                "available_at": due,
                "questionnaire_request": row.questionnaire_request,
                "link_sealed": row.link_sealed,
                "reminder_of": row,
                "reminder_number": n,
            },
        )


def _deliver(row: DueSend, body: str) -> list[str]:
    patient = row.schedule.patient
    went = []
    delay_s = settings.QUESTIONNAIRE_TEST_SEND_DELAY_S
    if delay_s:
        time.sleep(delay_s)  # the queue test's slow send (0, so off, unless it sets it)
    for channel in row.schedule.via:
        if channel == "email" and patient.email:
            send_email(patient.email, questionnaires.subject(patient), body)
            went.append(channel)
        elif channel == "sms" and patient.phone_mobile:
            send_sms(patient.phone_mobile, body)
            went.append(channel)
    return went


def send_one(row_id: int, worker: str, now: dt.datetime | None = None) -> str:
    """Claim one due send and send it; returns what happened (for the task's result)."""
    moment = now or timezone.now()
    if not claim(row_id, worker, moment):
        return "taken"
    row = DueSend.objects.select_related(
        "schedule__patient__clinic", "schedule__clinic", "questionnaire_request__link"
    ).get(pk=row_id)
    why = _why_not(row, moment)
    if why:
        _finish(row, worker, SendStatus.CANCELLED, why)
        return "cancelled"
    sender = sender_for(row.schedule)
    if sender is None:
        _finish(row, worker, SendStatus.FAILED, "nobody at the clinic can send it")
        return "failed"
    try:
        req, token = _prepare(row, sender, worker)
        url = row.schedule.site_url.rstrip("/") + reverse("measurement:public_start", args=[token])
        assert req.link is not None
        message = questionnaires.default_text(row.schedule.patient)
        if row.kind == SendKind.REMINDER:
            message = "A reminder: " + message[0].lower() + message[1:]
        went = _deliver(
            row, questionnaires.compose(message, url, row.schedule.patient, req.link.expires_at)
        )
    except Exception as problem:  # noqa: BLE001 (retried later; the link stands)
        logger.warning("Due send %s failed: %s", row.key, problem)
        if row.attempts >= MAX_ATTEMPTS:
            _finish(row, worker, SendStatus.FAILED, f"gave up: {problem}")
            return "failed"
        _finish(row, worker, SendStatus.PENDING, str(problem), available_at=moment + RETRY_DELAY)
        return "retry"
    if not went:
        _finish(row, worker, SendStatus.FAILED, "no email address or mobile number on the record")
        return "failed"
    sent_at = timezone.now()
    with transaction.atomic():
        if not _finish(row, worker, SendStatus.SENT, sent_at=sent_at):
            return "sent, but another worker reclaimed it"
        links.mark_sent(sender, req.link, via=went)
        row.questionnaire_request = req
        if row.kind != SendKind.REMINDER:
            row.link_sealed = DueSend.objects.values_list("link_sealed", flat=True).get(pk=row.pk)
            _plan_reminders(row, sent_at)
        record(
            "measurement.scheduled_send",
            clinic=row.schedule.clinic,
            obj=row.schedule,
            patient_ref=row.schedule.patient_id,
            after={"due": row.key, "request": req.pk, "via": went, "attempt": row.attempts},
        )
    return "sent"


def due_ids(now: dt.datetime | None = None) -> list[int]:
    moment = now or timezone.now()
    rows = DueSend.objects.filter(available_at__lte=moment).filter(
        Q(status=SendStatus.PENDING) | Q(status=SendStatus.CLAIMED, claimed_at__lt=moment - lease())
    )
    return list(rows.order_by("available_at", "id").values_list("pk", flat=True)[:BATCH])


def send_due(worker: str | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every due send this worker can claim; counts of what happened."""
    me = worker or worker_id()
    counts: dict[str, int] = {}
    for row_id in due_ids(now):
        outcome = send_one(row_id, me, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
