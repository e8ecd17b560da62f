"""Selecting audit entries for the report and its CSV export (the page's wording: ``present``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import overload

from django.db.models import CharField, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Cast

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.forms import KIND_PREFIX, SORTS, AuditFilterForm
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.present import show
from ketaclinic.audit.registry import registry
from ketaclinic.clinics.models import Clinic

ACCOUNT = "accounts.user"


class Entries:
    """One clinic's entries matching the filters, in order; counts and slices like a queryset.

    A clinic's admin reads the clinic's own entries plus its people's clinic-less ones. Sign-in
    and security events (password and second-factor sign-ins and failures, enrolment, resets,
    sign-outs, timeouts) are recorded before a clinic is chosen for the request, so they carry
    no clinic; they belong to every clinic where their actor is or was a member (any
    ``is_active``: a former employee's history stays in the report). Attempts on an account by
    someone unknown (a failed sign-in, the per-account throttle) have no actor and the account
    as their object: they belong to every clinic where that account is or was a member. Other
    entries without an actor (a lockout for an unknown email) belong to no clinic and stay out.

    The three parts are disjoint (clinic = C; clinic IS NULL with an actor; clinic IS NULL
    without one) and joined by UNION ALL, not OR: an OR of index ranges loses the index order,
    so every page sorted all of the clinic's entries, while SQLite merges the index-ordered
    parts and stops after a page. Counting the parts separately keeps the count index-only; the
    partial index ``audit_noclinic_actor`` (clinic-less rows only, so page views do not pay for
    it) serves the other two parts (actor IS NULL is one range of it).
    """

    ordered = True  # for Paginator: the union is always ordered

    def __init__(self, clinic: Clinic, where: Q, order: tuple[str, ...]) -> None:
        members = Membership.objects.filter(clinic=clinic)
        # order_by(): a part of a compound query may not carry the model's default ordering.
        self.own = AuditEntry.objects.filter(where, clinic=clinic).order_by()
        self.signins = AuditEntry.objects.filter(
            where, clinic__isnull=True, actor_id__in=members.values("user_id")
        ).order_by()
        # object_id is text: the members' ids are cast to compare.
        member_ids = members.annotate(text_id=Cast("user_id", CharField())).values("text_id")
        self.attempts = AuditEntry.objects.filter(
            where,
            clinic__isnull=True,
            actor__isnull=True,
            object_type=ACCOUNT,
            object_id__in=member_ids,
        ).order_by()
        self.order = order

    def parts(self) -> tuple[QuerySet[AuditEntry], ...]:
        return (self.own, self.signins, self.attempts)

    def queryset(self) -> QuerySet[AuditEntry]:
        return self.own.union(self.signins, self.attempts, all=True).order_by(*self.order)

    def count(self) -> int:
        return sum(part.count() for part in self.parts())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[AuditEntry]:
        return iter(self[:])

    @overload
    def __getitem__(self, key: int) -> AuditEntry: ...

    @overload
    def __getitem__(self, key: slice) -> list[AuditEntry]: ...

    def __getitem__(self, key: int | slice) -> AuditEntry | list[AuditEntry]:
        if isinstance(key, int):
            return self[key : key + 1][0]
        entries = list(self.queryset()[key])
        # select_related does not reach through a union; one query fetches the page's actors.
        prefetch_related_objects(entries, "actor")
        return entries


def filtered_entries(clinic: Clinic, form: AuditFilterForm) -> Entries:
    """The entries this clinic's admin may read that match a valid filter form, in order."""
    data = form.cleaned_data
    where = Q()
    if data.get("user"):
        where &= Q(actor=data["user"])
    if data.get("patient_ref"):
        where &= Q(patient_ref=data["patient_ref"])
    action = data.get("action") or ""
    if action.startswith(KIND_PREFIX):
        # "All inquiry entries": whatever was done to an object of that kind, by any action
        # (opening it, break-glass on it, actions of older releases).
        where &= Q(object_type=action.removeprefix(KIND_PREFIX))
    elif action:
        where &= Q(action=action)
    tz = clinic_zone(clinic)
    if data.get("start"):
        where &= Q(created_at__gte=dt.datetime.combine(data["start"], dt.time(), tz))
    if data.get("end"):
        end = data["end"] + dt.timedelta(days=1)
        where &= Q(created_at__lt=dt.datetime.combine(end, dt.time(), tz))
    return Entries(clinic, where, SORTS[data.get("sort") or "newest"][1])


CSV_HEADER = [
    "id",
    "time_clinic",
    "time_utc",
    "user_email",
    "user_role",
    "action",
    "action_label",
    "object_type",
    "object_id",
    "patient_ref",
    "ip_address",
    "user_agent",
    "before",
    "after",
    "reason",
    "entry_hash",
]


def csv_cell(value: str) -> str:
    # A cell starting like a formula would run in a spreadsheet (CSV injection); user agents and
    # after-values can carry attacker text.
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _label(action: str) -> str:
    # Empty for an action nobody registered (an older release's): the code stands alone.
    registered = registry.get(action)
    return registered.label if registered is not None else ""


def csv_rows(entries: Entries, tz: dt.tzinfo) -> Iterator[list[str]]:
    yield CSV_HEADER
    for entry in entries.queryset().iterator(chunk_size=1000):
        values = [
            str(entry.pk),
            entry.created_at.astimezone(tz).isoformat(),
            entry.created_at.astimezone(dt.UTC).isoformat(),
            entry.actor_email,
            entry.actor_role,
            entry.action,
            _label(entry.action),
            entry.object_type,
            entry.object_id,
            entry.patient_ref,
            entry.ip_address,
            entry.user_agent,
            "" if entry.before is None else show(entry.before),
            "" if entry.after is None else show(entry.after),
            entry.reason,
            entry.entry_hash,
        ]
        yield [csv_cell(v) for v in values]
