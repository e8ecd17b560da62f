"""Where a patient's intake stands, for staff: sent, opened, in progress (step N of M),
submitted, expired; read from the submission and its newest link (two queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.steps import next_step_key, steps_for
from ketaclinic.patients.models import Patient
from ketaclinic.securelinks import actions as links
from ketaclinic.securelinks.models import Refusal, SecureLink


@dataclass(frozen=True)
class IntakeStatus:
    key: str  # not_sent, sent, opened, in_progress, submitted, expired, revoked
    label: str
    tone: str
    submission: IntakeSubmission | None
    link: SecureLink | None
    steps_done: int
    steps_total: int
    next_step: str

    @property
    def expires_at(self) -> dt.datetime | None:
        return self.link.expires_at if self.link else None


def intake_status(patient: Patient) -> IntakeStatus:
    submission = (
        IntakeSubmission.objects.filter(patient=patient).select_related("submitted_by").first()
    )
    applicable = steps_for(patient)
    answers = submission.answers if submission else {}
    done = sum(1 for step in applicable if step.key in answers)
    link = links.links_for(submission).first() if submission else None
    following = next_step_key(patient, answers)

    def made(key: str, label: str, tone: str) -> IntakeStatus:
        return IntakeStatus(key, label, tone, submission, link, done, len(applicable), following)

    if submission is not None and submission.is_submitted:
        return made("submitted", "Submitted", "success")
    if link is None:
        if done:
            return made(
                "in_progress", f"In progress: step {done + 1} of {len(applicable) + 1}", "info"
            )
        return made("not_sent", "Not sent", "neutral")
    refusal = link.refusal()
    if refusal == Refusal.EXPIRED:
        return made("expired", "Link expired", "warning")
    if refusal == Refusal.REVOKED:
        return made("revoked", "Link withdrawn", "warning")
    if done:
        return made("in_progress", f"In progress: step {done + 1} of {len(applicable) + 1}", "info")
    if link.last_opened_at is not None:
        return made("opened", "Opened", "info")
    if link.sent_at is not None:
        return made("sent", "Sent", "info")
    return made("not_sent", "Link made, not sent", "neutral")
