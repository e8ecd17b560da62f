"""Background work of scheduling: the patient's reminder before each visit (see
``scheduling.reminders``), and a daily sweep sending any that are due and were not sent (a
task lost with a worker, or a booking made under a backend that cannot wait)."""

from __future__ import annotations

from django_tasks import task

from ketaclinic.ops.queue import daily
from ketaclinic.scheduling import reminders


@task()
def send_booking_reminder(booking_id: int, for_starts_at: str) -> str:
    return reminders.send_reminder(booking_id, for_starts_at)


@daily
@task()
def send_due_booking_reminders() -> int:
    return reminders.send_due_reminders()
