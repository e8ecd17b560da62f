"""Background work of the inquiries app: the new-inquiry email to staff, retried until sent.

``queue_staff_notification`` is called inside the transaction that stores the inquiry, so with
the database task backend the task row commits (or rolls back) with it. The task sends the
email once (``notify.notify_staff`` skips an inquiry already announced, and only the first
send is recorded); a mail server that is down makes the task schedule another attempt, after
1, 5 and 15 minutes and then hourly, for a day. A daily sweep re-queues any inquiry of the last
week still not announced (a worker killed in the middle of a send leaves its task "running").
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.notify import notify_staff, recipients_for
from ketaclinic.ops.queue import daily

logger = logging.getLogger(__name__)

RETRY_DELAYS_S = (60, 300, 900, 3600)  # then every hour
MAX_ATTEMPTS = 28  # about a day of tries
SWEEP_WINDOW = dt.timedelta(days=7)


class StaffEmailNotSent(RuntimeError):
    """The mail server refused or was unreachable; another attempt is queued."""


def queue_staff_notification(inquiry_id: int, detail_url: str, attempt: int = 1) -> None:
    """Queue the staff email for an inquiry (``attempt`` > 1: after the retry delay)."""
    if attempt == 1:
        send_staff_notification.enqueue(inquiry_id, detail_url, attempt)
        return
    if not send_staff_notification.get_backend().supports_defer:
        # The immediate backend (tests) cannot wait; retrying at once would only fail again.
        logger.warning("Staff email for inquiry %s not sent; no deferred retry here", inquiry_id)
        return
    delay_s = RETRY_DELAYS_S[min(attempt - 2, len(RETRY_DELAYS_S) - 1)]
    later = timezone.now() + dt.timedelta(seconds=delay_s)
    send_staff_notification.using(run_after=later).enqueue(inquiry_id, detail_url, attempt)


@task()
def send_staff_notification(inquiry_id: int, detail_url: str, attempt: int = 1) -> str:
    """Email the staff about one inquiry; on failure queue the next attempt and fail this one."""
    inquiry = Inquiry.objects.select_related("clinic").filter(pk=inquiry_id).first()
    if inquiry is None:
        return "no such inquiry"
    if inquiry.staff_notified_at is not None:
        return "already sent"
    if not recipients_for(inquiry):
        notify_staff(inquiry, detail_url)  # logs the missing address; nothing to retry
        return "no staff address"
    if notify_staff(inquiry, detail_url):
        return "sent"
    if attempt >= MAX_ATTEMPTS:
        logger.error("Gave up emailing staff about inquiry %s after %s tries", inquiry_id, attempt)
    else:
        queue_staff_notification(inquiry_id, detail_url, attempt + 1)
    raise StaffEmailNotSent(f"inquiry {inquiry_id}: attempt {attempt} failed")


def _waiting_inquiry_ids() -> set[int]:
    """Inquiries with a send still waiting in the queue (so the sweep does not double them)."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=send_staff_notification.module_path, status="READY"
    ).values_list("args_kwargs", flat=True)
    return {int(args["args"][0]) for args in waiting if args.get("args")}


@daily
@task()
def resend_unsent_staff_notifications() -> int:
    """Re-queue the staff email of every inquiry of the last week not yet announced and with no
    send waiting (its task was lost, or its day of retries ran out)."""
    since = timezone.now() - SWEEP_WINDOW
    unsent = Inquiry.objects.filter(staff_notified_at__isnull=True, received_at__gte=since)
    waiting = _waiting_inquiry_ids()
    count = 0
    for inquiry in unsent.select_related("clinic"):
        if inquiry.pk not in waiting and recipients_for(inquiry):
            # The link is relative here (no request to name the site); the email still names
            # the inquiry by number.
            queue_staff_notification(inquiry.pk, "")
            count += 1
    return count
