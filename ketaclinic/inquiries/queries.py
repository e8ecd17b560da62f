"""Read-side helpers for the pipeline: the clinic's "today", overdue, filters, duplicates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from ketaclinic.inquiries.models import OPEN_STATUSES, Inquiry, Status, normalise_phone


def overdue_q(today: dt.date) -> Q:
    """Open inquiries whose next action was due before today; closed ones are never overdue."""
    return Q(next_action_on__lt=today, status__in=[s.value for s in OPEN_STATUSES])


def annotate_flags(qs: QuerySet[Inquiry], today: dt.date) -> QuerySet[Inquiry]:
    """Add ``overdue`` (1/0) and sort urgent open ones first, then overdue, then newest."""
    open_values = [s.value for s in OPEN_STATUSES]
    return qs.annotate(
        overdue=Case(When(overdue_q(today), then=Value(1)), default=Value(0)),
        urgent_open=Case(
            When(is_urgent=True, status__in=open_values, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("-urgent_open", "-overdue", "-received_at", "-id")


def search(qs: QuerySet[Inquiry], text: str) -> QuerySet[Inquiry]:
    text = text.strip()
    if not text:
        return qs
    match = Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
    digits = normalise_phone(text)
    if len(digits) >= 3 and re.fullmatch(r"[0-9+()\-. ]+", text):
        match |= Q(phone_normalised__contains=digits)
    return qs.filter(match)


# Sortable columns: the whitelist the list's ?sort= may name (a leading "-" reverses).
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "received": ("Received", ("received_at", "id")),
    "name": ("Name", ("name", "id")),
    "status": ("Status", ("status", "-received_at")),
    "owner": ("Owner", ("owner__full_name", "-received_at")),
    "next_action": ("Next action", ("next_action_on", "-received_at")),
}


def sorted_by(qs: QuerySet[Inquiry], sort: str) -> QuerySet[Inquiry]:
    """``qs`` ordered by a whitelisted column (``-`` first for descending); unknown: unchanged."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return qs
    fields = SORTS[key][1]
    if sort.startswith("-"):
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    return qs.order_by(*fields)


def apply_filters(
    qs: QuerySet[Inquiry], data: dict[str, Any], today: dt.date, user_id: int | None = None
) -> QuerySet[Inquiry]:
    """Every filter except status (so the status counts can reflect the others)."""
    qs = search(qs, data.get("q") or "")
    if data.get("urgent") == "yes":
        qs = qs.filter(is_urgent=True)
    elif data.get("urgent") == "no":
        qs = qs.filter(is_urgent=False)
    owner = data.get("owner") or ""
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner.isdigit():
        qs = qs.filter(owner_id=int(owner))
    if data.get("mine") and user_id is not None:
        qs = qs.filter(owner_id=user_id)
    if data.get("due_today"):
        qs = qs.filter(next_action_on=today, status__in=[s.value for s in OPEN_STATUSES])
    if data.get("overdue"):
        qs = qs.filter(overdue_q(today))
    return qs


def status_counts(qs: QuerySet[Inquiry]) -> list[tuple[str, str, int]]:
    """(value, label, count) for every status, in pipeline order, zeros included."""
    found = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return [(value, str(label), found.get(value, 0)) for value, label in Status.choices]


def duplicates_of(inquiry: Inquiry) -> QuerySet[Inquiry]:
    """Other inquiries of the same clinic with the same normalised email or phone."""
    same = Q()
    if inquiry.email_normalised:
        same |= Q(email_normalised=inquiry.email_normalised)
    if inquiry.phone_normalised:
        same |= Q(phone_normalised=inquiry.phone_normalised)
    if not same:
        return Inquiry.objects.none()
    return Inquiry.objects.filter(same, clinic_id=inquiry.clinic_id).exclude(pk=inquiry.pk)
