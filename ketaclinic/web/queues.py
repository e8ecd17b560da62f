"""Read-side queries for the home pages' work queues: what is waiting, how much, most urgent first.

Every queue is a :class:`Queue`: its full ``count`` and the first ``SECTION_LIMIT`` items. Each
costs a fixed number of queries however many rows there are (counts by one aggregate, items by
one query each with what the template shows already joined), so the home pages stay flat.

Nothing here writes; the rules about who may see what stay in each app's ``policies.py`` (the
home view decides which queues a role gets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from ketaclinic.accounts.models import BreakGlassGrant, Membership, Role, SharedAccess, User
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.registry import registry as audit_registry
from ketaclinic.audit.report import Entries
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.models import OPEN_STATUSES, Inquiry, Status
from ketaclinic.inquiries.queries import overdue_q

T = TypeVar("T")

# Items shown per section; the count and its link lead to the rest.
SECTION_LIMIT = 8
# The physician's and nurse's short list of leads.
SHORT_LIMIT = 5
SECURITY_WINDOW = dt.timedelta(days=7)

_OPEN = [s.value for s in OPEN_STATUSES]


@dataclass(frozen=True)
class Queue(Generic[T]):
    count: int
    items: list[T] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many are not shown here."""
        return max(self.count - len(self.items), 0)


def _open_urgent() -> Q:
    return Q(is_urgent=True, status__in=_OPEN)


def _new_or_urgent() -> Q:
    return Q(status=Status.NEW) | _open_urgent()


def by_urgency(qs: QuerySet[Inquiry], today: dt.date) -> QuerySet[Inquiry]:
    """Urgent open ones first, then overdue follow-ups (the longest overdue first), then by
    next action date, then whoever has waited longest (a queue is worked oldest first)."""
    return qs.annotate(
        urgent_open=Case(When(_open_urgent(), then=Value(1)), default=Value(0)),
        overdue=Case(
            When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    ).order_by(
        "-urgent_open",
        "-overdue",
        F("next_action_on").asc(nulls_last=True),
        "received_at",
        "id",
    )


@dataclass(frozen=True)
class InquiryCounts:
    urgent: int
    new: int
    due_today: int
    overdue: int
    mine: int
    consult_booked: int
    # New or urgent-and-open, each lead once: the physician's and nurse's short list.
    new_or_urgent: int


def inquiry_counts(clinic: Clinic, user: User, today: dt.date) -> InquiryCounts:
    """Every inquiry count a home page shows, in one query."""
    found = Inquiry.objects.filter(clinic=clinic).aggregate(
        urgent=Count("pk", filter=_open_urgent()),
        new=Count("pk", filter=Q(status=Status.NEW)),
        due_today=Count("pk", filter=Q(next_action_on=today, status__in=_OPEN)),
        overdue=Count("pk", filter=overdue_q(today)),
        mine=Count("pk", filter=Q(owner=user, status__in=_OPEN)),
        consult_booked=Count("pk", filter=Q(status=Status.CONSULT_BOOKED)),
        new_or_urgent=Count("pk", filter=_new_or_urgent()),
    )
    return InquiryCounts(**{k: int(v or 0) for k, v in found.items()})


@dataclass(frozen=True)
class CoordinatorQueues:
    counts: InquiryCounts
    urgent: Queue[Inquiry]
    new: Queue[Inquiry]
    due_today: Queue[Inquiry]
    overdue: Queue[Inquiry]
    mine: Queue[Inquiry]


def _items(qs: QuerySet[Inquiry], today: dt.date, limit: int = SECTION_LIMIT) -> list[Inquiry]:
    return list(by_urgency(qs.select_related("owner"), today)[:limit])


def coordinator_queues(clinic: Clinic, user: User, today: dt.date) -> CoordinatorQueues:
    """The coordinator's day: urgent leads, new ones, follow-ups due and overdue, their own."""
    counts = inquiry_counts(clinic, user, today)
    base = Inquiry.objects.filter(clinic=clinic)
    return CoordinatorQueues(
        counts=counts,
        urgent=Queue(counts.urgent, _items(base.filter(_open_urgent()), today)),
        new=Queue(counts.new, _items(base.filter(status=Status.NEW), today)),
        due_today=Queue(
            counts.due_today, _items(base.filter(next_action_on=today, status__in=_OPEN), today)
        ),
        overdue=Queue(counts.overdue, _items(base.filter(overdue_q(today)), today)),
        mine=Queue(counts.mine, _items(base.filter(owner=user, status__in=_OPEN), today)),
    )


@dataclass(frozen=True)
class LeadsToPrepare:
    counts: InquiryCounts
    leads: Queue[Inquiry]


def leads_to_prepare(clinic: Clinic, user: User, today: dt.date) -> LeadsToPrepare:
    """For physicians and nurses: new and urgent leads, to prepare consultations."""
    counts = inquiry_counts(clinic, user, today)
    qs = Inquiry.objects.filter(_new_or_urgent(), clinic=clinic)
    return LeadsToPrepare(counts, Queue(counts.new_or_urgent, _items(qs, today, SHORT_LIMIT)))


# --- Clinic admin -----------------------------------------------------------------------------


def pending_invitations(clinic: Clinic) -> Queue[Membership]:
    """Active roles whose person has not chosen a password yet (invited, link not used)."""
    qs = Membership.objects.filter(
        clinic=clinic,
        is_active=True,
        user__is_active=True,
        user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
    )
    items = list(qs.select_related("user").order_by("created_at", "id")[:SECTION_LIMIT])
    return Queue(qs.count(), items)


def break_glass_to_review(clinic: Clinic) -> Queue[BreakGlassGrant]:
    """Emergency accesses nobody has reviewed yet, oldest first."""
    qs = BreakGlassGrant.objects.filter(clinic=clinic, reviewed_at__isnull=True)
    items = list(
        qs.select_related("user", "content_type").order_by("created_at", "id")[:SECTION_LIMIT]
    )
    return Queue(qs.count(), items)


# Sign-in trouble and changes to who can sign in (names as recorded by the accounts app; the
# labels are the audit registry's, the same words as the audit report).
SECURITY_ACTIONS = (
    "auth.lockout",
    "auth.login.account_throttled",
    "auth.login.2fa_failed",
    "auth.reauth_failed",
    "auth.password.reset",
    "2fa.reset",
    "2fa.admin_reset",
    "account.email.change",
    "account.deactivate",
    "staff.update",
)
# Failures and lockouts are the ones worth a second look.
ALERTING_ACTIONS = frozenset(
    {"auth.lockout", "auth.login.account_throttled", "auth.login.2fa_failed", "auth.reauth_failed"}
)


@dataclass(frozen=True)
class SecurityEvent:
    entry: AuditEntry
    label: str
    # Who did it (for a lockout, whose account it was), and whose account it was about when
    # that is someone else (an admin's reset or deactivation).
    who: str
    about: str
    alerting: bool


def _names(entries: Collection[AuditEntry]) -> dict[int, str]:
    """Names of the entries' actors and of the accounts they are about, in one query."""
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    ids |= {int(e.object_id) for e in entries if _subject_id(e) is not None}
    if not ids:
        return {}
    found = User.objects.filter(pk__in=ids).values_list("pk", "full_name", "email")
    return {pk: name or email for pk, name, email in found}


def _subject_id(entry: AuditEntry) -> int | None:
    if entry.object_type == "accounts.user" and entry.object_id.isdigit():
        return int(entry.object_id)
    return None


def _after_username(entry: AuditEntry) -> str:
    after = entry.after
    return str(after.get("username", "")) if isinstance(after, dict) else ""


def recent_security_events(clinic: Clinic, now: dt.datetime | None = None) -> Queue[SecurityEvent]:
    """The last seven days of sign-in trouble and account changes of the clinic's people,
    newest first (the audit report's scope: the clinic's entries and its people's sign-ins).

    Four queries: the two parts' counts, the page, and the names of everyone it mentions."""
    since = (now or timezone.now()) - SECURITY_WINDOW
    where = Q(action__in=list(SECURITY_ACTIONS), created_at__gte=since)
    entries = Entries(clinic, where, ("-created_at", "-id"))
    page = list(entries.queryset()[:SECTION_LIMIT])
    names = _names(page)
    events = []
    for entry in page:
        actor = names.get(entry.actor_id, entry.actor_email) if entry.actor_id else ""
        subject_id = _subject_id(entry)
        subject = names.get(subject_id, "") if subject_id is not None else ""
        who = actor or subject or _after_username(entry) or "Unknown account"
        events.append(
            SecurityEvent(
                entry=entry,
                label=audit_registry.label(entry.action),
                who=who,
                about=subject if subject and subject != who else "",
                alerting=entry.action in ALERTING_ACTIONS,
            )
        )
    return Queue(entries.count(), events)


# --- Outside professional ---------------------------------------------------------------------


def live_grants_for(user: User, clinic: Clinic, now: dt.datetime | None = None) -> list[Any]:
    """Records patients of ``clinic`` have shared with ``user`` and that are still shared:
    not revoked, started, not expired (``accounts.policies.live_shared_access``, for all
    records at once). The records themselves come with one query per kind of record."""
    at = now or timezone.now()
    return list(
        SharedAccess.objects.filter(
            professional=user, clinic=clinic, revoked_at__isnull=True, valid_from__lte=at
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .select_related("granted_by", "content_type")
        .prefetch_related("target")
        .order_by("-granted_at", "-id")
    )


@dataclass(frozen=True)
class SharedRecord:
    """One live grant as the outside professional's home lists it: what was shared (a
    patient by the name staff use, with a link to the chart), which sections, until when."""

    grant: SharedAccess
    name: str
    url: str
    sections: list[str]


def shared_records(grants: list[Any]) -> list[SharedRecord]:
    """``live_grants_for``'s grants, named: a patient by display name with their chart's
    address; any other record by its own name. No query (the targets came prefetched)."""
    from ketaclinic.patients.models import Patient
    from ketaclinic.patients.sections import SHAREABLE

    rows = []
    for grant in grants:
        target = grant.target
        labels = [SHAREABLE.get(s, s) for s in grant.sections if s in SHAREABLE]
        if isinstance(target, Patient):
            rows.append(SharedRecord(grant, target.display_name, f"/patients/{target.pk}/", labels))
        else:
            name = str(target) if target is not None else "A record no longer available"
            rows.append(SharedRecord(grant, name, "", labels or list(grant.sections)))
    return rows


def clinic_admins(clinic: Clinic) -> list[User]:
    """The clinic's active admins, by name: whom to ask."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__clinic=clinic,
            memberships__is_active=True,
            memberships__role=Role.CLINIC_ADMIN,
        ).order_by("full_name", "email")
    )


def admins_of_clinics_of(user: User) -> list[tuple[Clinic, list[User]]]:
    """For someone with no active role: the clinics where they had one, with those clinics'
    admins and contact details, so the page can say whom to ask."""
    clinic_ids = Membership.objects.filter(user=user).values("clinic_id")
    admins = (
        Membership.objects.filter(
            clinic_id__in=clinic_ids,
            role=Role.CLINIC_ADMIN,
            is_active=True,
            user__is_active=True,
        )
        .exclude(user=user)
        .select_related("user", "clinic")
        .order_by("clinic__name", "user__full_name", "id")
    )
    grouped: dict[int, tuple[Clinic, list[User]]] = {}
    for m in admins:
        grouped.setdefault(m.clinic_id, (m.clinic, []))[1].append(m.user)
    return list(grouped.values())
