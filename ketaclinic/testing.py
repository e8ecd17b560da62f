"""Shared test fixtures: one clinic with a user per role, plus an outsider clinic.

Every view test tries the view from each side (the healthchecks habit): each role of the
owning clinic, an anonymous visitor, and the admin of another clinic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.http import QueryDict
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.access.middleware import ADMIN_POLICY
from ketaclinic.access.policy import Policy, policy_of
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - test fixture


def make_user(email: str, name: str, clinic: Clinic | None, role: str | None) -> User:
    user = User.objects.create_user(email, TEST_PASSWORD, full_name=name)
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    if clinic is not None and role is not None:
        Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


def member(user: User, clinic: Clinic | None = None) -> Membership:
    """``user``'s membership (of ``clinic``, or their only one), read fresh: what the access
    middleware would hand an action for a request by this user."""
    rows = Membership.objects.select_related("user", "clinic").filter(user=user)
    if clinic is not None:
        rows = rows.filter(clinic=clinic)
    return rows.order_by("id").first() or Membership(user=user, role="", is_active=False)


def sign_in(client: Client, user: User) -> None:
    """Sign ``user`` in with both factors (password and a confirmed TOTP device)."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None, f"{user} has no TOTP device"
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class BaseTestCase(TestCase):
    """``self.users[role]``: every role at ``self.clinic``; ``self.outsider`` at ``self.other``."""

    clinic: Clinic
    other: Clinic
    users: dict[str, User]
    outsider: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.clinic = Clinic.objects.create(
            name="Sturges Family Practice", slug="sturges", email="front@sturges.example"
        )
        cls.other = Clinic.objects.create(name="Other Clinic", slug="other")
        cls.users = {
            role.value: make_user(f"{role.value}@sturges.example", role.label, cls.clinic, role)
            for role in Role
        }
        cls.outsider = make_user("admin@other.example", "Other Admin", cls.other, Role.CLINIC_ADMIN)

    def login(self, who: str | User) -> User:
        user = self.users[who] if isinstance(who, str) else who
        sign_in(self.client, user)
        return user

    def roles_except(self, *allowed: str) -> list[str]:
        return [r.value for r in Role if r.value not in {str(a) for a in allowed}]

    def assert_denied(self, response: Any, expected: int, *, to: str = "accounts:login") -> None:
        """The request was refused with exactly ``expected``.

        Which refusal a case gets is part of what it tests: 302 to the sign-in page for a
        visitor who is not signed in (``to="accounts:two_factor"`` for one who has only typed
        the password), 403 for a signed-in role the page is not for, 404 for another clinic's
        object (its existence is not confirmed).
        """
        if expected not in (302, 403, 404):
            raise ValueError(f"a refusal is 302, 403 or 404, not {expected}")
        assert response.status_code == expected, (response.status_code, expected)
        if expected == 302:
            target = reverse(to)
            location = response["Location"]
            assert location == target or location.startswith(target + "?"), (location, target)


# --- walking the URL configuration (tests/test_access_policy.py) -------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name (its route when unnamed), route text and view."""

    key: str
    route: str
    pattern: URLPattern
    named: bool

    @property
    def kwargs(self) -> list[str]:
        return [str(k) for k in self.pattern.pattern.regex.groupindex]

    @property
    def policy(self) -> Policy | None:
        declared = policy_of(self.pattern.callback)
        if declared is None and self.route.startswith(admin_prefix()):
            return ADMIN_POLICY  # what the middleware applies to the admin namespace
        return declared

    def url(self, kwargs: dict[str, Any]) -> str | None:
        """The URL with these arguments (None for an unnamed regex route)."""
        if self.named:
            return reverse(self.key, kwargs=kwargs)
        if "(?P<" in self.route or "^" in self.route:
            return None
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[str(m[1])]), self.route)

    def placeholder(self) -> str:
        """A URL that resolves here, for checks that refuse before any row is read."""
        if self.named and "(?P<" not in self.route:
            return reverse(self.key, kwargs={k: "1" for k in self.kwargs})
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", self.route).replace("^", "").replace("$", "")
        return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", path)


def admin_prefix() -> str:
    return reverse("admin:index").lstrip("/")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            route = prefix + str(p.pattern)
            yield Route(name or route, route, p, bool(name))


def url_routes() -> list[Route]:
    """Every URL pattern of the site."""
    return list(_walk(get_resolver().url_patterns))


def sign_in_url(url: str) -> str:
    """The sign-in page coming back to ``url``, as ``redirect_to_login`` writes it."""
    query = QueryDict(mutable=True)
    query["next"] = url
    return f"{reverse('accounts:login')}?{query.urlencode(safe='/')}"


@dataclass(frozen=True)
class Answer:
    """What a request gets: a status and, for a redirect, where it goes."""

    status: int
    to: str | Callable[[str], str] = ""  # a URL name, or a function of the requested URL
    why: str = ""

    def check(self, response: Any, url: str, who: object) -> None:
        assert response.status_code == self.status, (who, url, response.status_code, self)
        if self.to:
            expected = self.to(url) if callable(self.to) else reverse(self.to)
            assert response["Location"] == expected, (who, url, response["Location"], expected)


# --- query budgets (tests/test_query_budgets.py) -------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One whole GET through the test client: its status, body and the SQL it ran."""

    status: int
    body: bytes
    queries: list[str]


def measure(client: Client, url: str) -> Measured:
    """GET ``url`` and count every query, the middleware's and savepoints included. A streamed
    body (the CSV export) is read inside the count: that is where its queries run."""
    with CaptureQueriesContext(connection) as captured:
        response: Any = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return Measured(response.status_code, body, [q["sql"] for q in captured.captured_queries])


def assert_flat_queries(
    client: Client,
    url: str,
    make_rows: Callable[[int], object] | None,
    budget: int,
    *,
    few: int = 3,
    many: int = 50,
    row_text: str = "",
) -> tuple[Measured, Measured]:
    """``url`` costs exactly ``budget`` queries with ``few`` rows and again with ``many``.

    ``make_rows(n)`` adds ``n`` more of what the page lists (None: the page lists nothing, so
    it is measured twice as it is). A request is made first so per-process caches (content
    types) are warm and the session's once-a-minute activity write has happened; freeze the
    clock (``time_machine``) so it does not land inside a measured request. A count that grows
    with the rows is an N+1 and fails here. With ``row_text`` (a text every row puts on the
    page), the page must show it more often with many rows than with few, so the rows counted
    are the rows shown. Returns both measurements.
    """
    if make_rows is not None:
        make_rows(few)
    warm = measure(client, url)
    assert warm.status == 200, (url, warm.status)
    small = measure(client, url)
    if make_rows is not None:
        make_rows(many - few)
    large = measure(client, url)
    assert large.status == 200, (url, large.status)
    counts = (len(small.queries), len(large.queries))
    if counts != (budget, budget):
        listing = "\n".join(f"  {i + 1}. {sql}" for i, sql in enumerate(large.queries))
        raise AssertionError(
            f"{url}: {counts[0]} queries with {few} rows and {counts[1]} with {many}, "
            f"budget {budget}; with {many} rows:\n{listing}"
        )
    if row_text:
        shown = (small.body.count(row_text.encode()), large.body.count(row_text.encode()))
        assert 0 < shown[0] < shown[1], (url, row_text, shown)
    return small, large


def sqlite_file_copy(path: Path) -> dict[str, Any]:
    """Copy the test database (SQLite in memory, shared cache) to a file and return the
    settings of a connection to it, for tests that run threads.

    Connections to one shared-cache memory database lock whole tables and fail at once
    ("database table is locked") instead of waiting, unlike the file database the clinic runs
    on; so the threads work on a file copy with the production options (WAL, IMMEDIATE
    transactions, a busy timeout), each thread through its own connection."""
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return {**connection.settings_dict, "NAME": str(path)}
