"""The ledger's background work: the custodians' alert when a discrepancy opens, and a daily
reminder of due DEA loss reports and the biennial inventory."""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.ledger.models import Discrepancy, Inventory, LossReport, Registration
from ketaclinic.lib.messaging import send_email
from ketaclinic.ops.queue import daily

logger = logging.getLogger(__name__)
#: Remind this long before the two-year date of the last inventory (21 CFR 1304.11(c) [E]:
#: at least every 2 years; the 30-day lead is [D]).
BIENNIAL_LEAD = dt.timedelta(days=30)


def custodian_emails(clinic_id: int) -> list[str]:
    return list(
        Membership.objects.filter(
            clinic_id=clinic_id, role=Role.CUSTODIAN, is_active=True, user__is_active=True
        ).values_list("user__email", flat=True)
    )


@task()
def alert_custodians(discrepancy_id: int) -> str:
    """Email the clinic's custodians that a discrepancy opened (no patient data in it)."""
    row = Discrepancy.objects.filter(pk=discrepancy_id).first()
    if row is None:
        return "no such discrepancy"
    to = custodian_emails(row.clinic_id)
    if not to:
        return "no custodian"
    body = (
        f"A controlled-substance discrepancy (#{row.pk}, {row.get_source_display().lower()}) "
        f"was opened: expected {row.expected_mg} mg, found {row.found_mg} mg.\n\n"
        "Open the ledger to investigate and sign it off."
    )
    try:
        send_email(to, f"Controlled-substance discrepancy #{row.pk}", body)
    except Exception:  # noqa: BLE001 - the discrepancy is stored; the screen lists it anyway
        logger.exception("Could not email the custodians about discrepancy %s", row.pk)
        return "not sent"
    return "sent"


def due_items(clinic_id: int, today: dt.date) -> list[str]:
    """What the custodians must do soon: loss-report steps due by tomorrow, and the biennial
    inventory when its two-year date is within ``BIENNIAL_LEAD``."""
    items = []
    soon = today + dt.timedelta(days=1)
    for report in LossReport.objects.filter(clinic_id=clinic_id):
        if report.written_notice_sent_at is None and report.written_notice_due <= soon:
            items.append(f"Written loss notice to the DEA due {report.written_notice_due}.")
        if report.form_106_filed_at is None and report.form_106_due <= today + dt.timedelta(7):
            items.append(f"DEA Form 106 due {report.form_106_due}.")
    for reg in Registration.objects.filter(clinic_id=clinic_id, is_active=True):
        last = Inventory.objects.filter(registration=reg).order_by("-taken_on").first()
        if last is None:
            continue
        try:
            two_years = last.taken_on.replace(year=last.taken_on.year + 2)
        except ValueError:  # 29 February: the 28th is within two years
            two_years = last.taken_on.replace(year=last.taken_on.year + 2, day=28)
        if two_years - today <= BIENNIAL_LEAD:
            items.append(f"Biennial inventory of DEA {reg.dea_number} due by {two_years}.")
    return items


@daily
@task()
def remind_custodians() -> int:
    sent = 0
    for clinic in Clinic.objects.filter(
        pk__in=Registration.objects.filter(is_active=True).values("clinic_id")
    ):
        clinic_id = clinic.pk
        items = due_items(clinic_id, clinic_today(clinic))  # the clinic's date, not UTC's
        to = custodian_emails(clinic_id)
        if items and to:
            send_email(to, "Controlled-substance ledger: due soon", "\n".join(items))
            sent += 1
    return sent
