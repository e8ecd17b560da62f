"""Background work of eligibility: the out-of-date decision email, queued in the transaction
that marked the decision stale (with the database task backend it commits or rolls back with
it). One attempt: the in-app alert on the physicians' home page does not depend on mail."""

from __future__ import annotations

from django_tasks import task

from ketaclinic.eligibility.models import EligibilityDecision
from ketaclinic.eligibility.notify import email_stale_decision


def queue_stale_alert(decision_id: int) -> None:
    send_stale_alert.enqueue(decision_id)


@task()
def send_stale_alert(decision_id: int) -> str:
    decision = (
        EligibilityDecision.objects.select_related("patient__clinic").filter(pk=decision_id).first()
    )
    if decision is None:
        return "no such decision"
    return "sent" if email_stale_decision(decision) else "not sent"
