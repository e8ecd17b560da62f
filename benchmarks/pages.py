"""What the inquiry detail page costs, where its time goes, and what reading the inquiry with
its possible duplicates in one query would save, as a ratio against the page as it is,
measured in the same run.

Sets up a throwaway SQLite database in a temporary data directory (migrations plus the demo
clinic), adds one realistic inquiry through the real actions (20 contacts, 10 status changes,
5 possible duplicates), signs in the demo coordinator (who sees the three edit forms) and the
demo nurse (who reads only), and requests the page in interleaved rounds, alternating which
goes first: the page as it is (the baseline: 15 queries for the coordinator, 14 for the nurse)
and the candidate, the same view with the inquiry and its duplicates read by one query (the
inquiry's email and phone in subqueries: one query fewer). A last, instrumented pass says where
a request's time goes (running SQL, building it in the ORM, templates, form widgets, the audit
entry); the instruments cost a little, so those shares come from their own pass, not from the
timed rounds. Ends with one ``name: value`` line per figure, the ratios last: the median of
the rounds' ratios, candidate / as it is (below 1 would be faster).

    .venv/bin/python benchmarks/pages.py [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the repository and this folder importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_setup import demo_clinic, seconds_per_get  # noqa: E402

CONTACTS, STATUS_CHANGES, DUPLICATES = 20, 10, 5


def _setup(data_dir: str) -> tuple[dict[str, Any], str]:
    """Signed-in clients by role and the URL of the realistic inquiry."""
    clinic = demo_clinic(data_dir)
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from ketaclinic.accounts.models import Membership, User
    from ketaclinic.inquiries import actions
    from ketaclinic.inquiries.models import Status
    from ketaclinic.testing import sign_in

    coordinator = User.objects.get(email="coordinator@demo.ketaclinic.test")
    by = Membership.objects.select_related("user", "clinic").get(user=coordinator, clinic=clinic)
    sent: dict[str, Any] = {
        "name": "Bench Person (synthetic)",
        "email": "bench.person@example.com",
        "phone": "(555) 010-0177",
        "consent_wording": "I agree to be contacted.",
        "message": "I would like to know more about the infusions.",
    }
    inquiry = actions.submit_inquiry(clinic, actions.Submission(**sent))
    for i in range(DUPLICATES):  # the same person writing again, by email or by phone
        again = {**sent, "name": f"Bench Person again {i} (synthetic)"}
        again.pop("phone" if i % 2 else "email")
        actions.submit_inquiry(clinic, actions.Submission(**again))
    for i in range(CONTACTS):
        actions.add_contact(
            by,
            inquiry,
            channel=("call", "email", "text")[i % 3],
            contacted_at=timezone.now() - dt.timedelta(hours=CONTACTS - i),
            outcome=("no_answer", "left_message", "sent", "reached")[i % 4],
            note=f"Attempt {i + 1}: tried again as agreed.",
        )
    moves = [Status.CONTACTED, Status.CONSULT_BOOKED, Status.CONTACTED, Status.NEW]
    for i in range(STATUS_CHANGES):
        actions.change_status(by, inquiry, moves[i % len(moves)], f"Step {i + 1}")
    clients = {}
    for role in ("coordinator", "nurse"):
        client = Client()
        sign_in(client, User.objects.get(email=f"{role}@demo.ketaclinic.test"))
        clients[role] = client
    return clients, reverse("inquiries:detail", args=[inquiry.pk])


_STASH: dict[int, list[Any]] = {}


def _one_query_inquiry(request: Any, pk: int) -> Any:
    """The candidate's ``detail._inquiry``: the inquiry and up to 20 possible duplicates
    (what ``queries.duplicates_of`` finds, newest first) in one query; the duplicates wait in
    ``_STASH`` for the page to ask for them."""
    from django.db.models import Case, Q, Value, When
    from django.http import Http404

    from ketaclinic.access.policy import clinic_scoped
    from ketaclinic.inquiries.models import Inquiry

    inquiries = clinic_scoped(Inquiry.objects.select_related("clinic", "owner"), request)
    own = inquiries.filter(pk=pk)
    same = (
        Q(pk=pk)
        | Q(email_normalised__in=own.exclude(email_normalised="").values("email_normalised"))
        | Q(phone_normalised__in=own.exclude(phone_normalised="").values("phone_normalised"))
    )
    itself_first = Case(When(pk=pk, then=Value(0)), default=Value(1))
    rows = list(inquiries.filter(same).order_by(itself_first, "-received_at", "-id")[:21])
    if not rows or rows[0].pk != pk:
        raise Http404("No such inquiry in this clinic.")
    _STASH[pk] = rows[1:]
    return rows[0]


class _Stashed:
    """What the candidate's ``duplicates_of`` hands the page: the rows already read."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def order_by(self, *fields: str) -> _Stashed:
        return self

    def __getitem__(self, key: slice) -> list[Any]:
        return self.rows[key]


def _way(candidate: bool) -> AbstractContextManager[Any]:
    from unittest import mock

    from ketaclinic.inquiries import queries
    from ketaclinic.inquiries.views import detail

    if not candidate:
        return nullcontext()
    stack = ExitStack()
    stack.enter_context(mock.patch.object(detail, "_inquiry", _one_query_inquiry))
    stack.enter_context(
        mock.patch.object(
            queries, "duplicates_of", lambda inquiry: _Stashed(_STASH.pop(inquiry.pk))
        )
    )
    return stack


def _leg(client: Any, url: str, requests: int, candidate: bool) -> float:
    """Seconds per request for ``requests`` page views one way or the other."""
    with _way(candidate):
        return seconds_per_get(client, url, requests)


def _queries(client: Any, url: str, candidate: bool) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with _way(candidate), CaptureQueriesContext(connection) as captured:
        client.get(url)
    # SQLite's BEGIN IMMEDIATE and COMMIT around the audit entry are logged as statements;
    # the test suite's budgets count a savepoint and its release in their place.
    return len(captured.captured_queries)


@contextmanager
def _instruments(shares: dict[str, float]) -> Iterator[None]:
    """Add to ``shares`` the seconds spent running SQL, building it (the ORM's compilers), in
    templates and in the audit entry (those two without the SQL built and run from inside
    them: lazy querysets, the entry's INSERT), and in form widget templates (a part of the
    templates' time)."""
    from unittest import mock

    from django.db import connection
    from django.db.models.sql import compiler
    from django.template.backends.django import Template

    from ketaclinic.inquiries.views import detail

    db = {"sql": 0.0, "orm": 0.0}
    depth = {"render": 0, "build": 0}

    def timed_sql(execute: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(*args)
        finally:
            db["sql"] += time.perf_counter() - start

    def timed_build(original: Callable[..., Any]) -> Callable[..., Any]:
        def as_sql(self: Any, *args: Any, **kwargs: Any) -> Any:
            depth["build"] += 1
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                depth["build"] -= 1
                if depth["build"] == 0:  # subqueries are counted in their outer query
                    db["orm"] += time.perf_counter() - start

        return as_sql

    def spent_in_db() -> float:
        return db["sql"] + db["orm"]

    original_render = Template.render

    def timed_render(self: Any, context: Any = None, request: Any = None) -> Any:
        name = self.template.origin.template_name or ""
        start, db_start = time.perf_counter(), spent_in_db()
        depth["render"] += 1
        try:
            return original_render(self, context, request)
        finally:
            depth["render"] -= 1
            took = time.perf_counter() - start - (spent_in_db() - db_start)
            if depth["render"] == 0:
                shares["templates"] += took
            elif depth["render"] == 1 and name.startswith("django/forms/"):
                shares["form widgets"] += took

    original_record = detail.record_view

    def timed_record(*args: Any, **kwargs: Any) -> None:
        start, db_start = time.perf_counter(), spent_in_db()
        try:
            original_record(*args, **kwargs)
        finally:
            shares["audit entry"] += time.perf_counter() - start - (spent_in_db() - db_start)

    kinds = (compiler.SQLCompiler, compiler.SQLInsertCompiler, compiler.SQLUpdateCompiler)
    with ExitStack() as stack:
        stack.enter_context(connection.execute_wrapper(timed_sql))
        stack.enter_context(mock.patch.object(Template, "render", timed_render))
        stack.enter_context(mock.patch.object(detail, "record_view", timed_record))
        for kind in kinds:
            patched = timed_build(kind.__dict__["as_sql"])
            stack.enter_context(mock.patch.object(kind, "as_sql", patched))
        yield
    shares["sql"] += db["sql"]
    shares["orm building"] += db["orm"]


PARTS = ("sql", "orm building", "templates", "form widgets", "audit entry")


def _where_the_time_goes(client: Any, url: str, requests: int) -> dict[str, float]:
    """Milliseconds per request in each part, from an instrumented pass. ``rest`` is the
    middleware's own code (session, sign-in, second factor, session limits, access policy),
    the view's, URL resolving and the test client."""
    shares = dict.fromkeys(PARTS, 0.0)
    with _instruments(shares):
        start = time.perf_counter()
        for _ in range(requests):
            client.get(url)
        total = time.perf_counter() - start
    shares["rest"] = total - sum(v for k, v in shares.items() if k != "form widgets")
    shares["total"] = total
    return {name: seconds / requests * 1000 for name, seconds in shares.items()}


def _measure(client: Any, url: str, rounds: int, requests: int) -> tuple[float, float, float]:
    """Median milliseconds per request as it is and with the candidate, and the median of
    each round's ratio (candidate / as it is): the two legs of a round run back to back, so
    their ratio is steadier than the ratio of the medians on a machine with other work."""
    for candidate in (False, True):  # warm both ways: templates, query compilation
        _leg(client, url, 3 * requests, candidate)
    legs: dict[bool, list[float]] = {False: [], True: []}
    for round_no in range(rounds):
        for candidate in (False, True) if round_no % 2 == 0 else (True, False):
            legs[candidate].append(_leg(client, url, requests, candidate))
    paired = statistics.median(c / a for a, c in zip(legs[False], legs[True], strict=True))
    return statistics.median(legs[False]) * 1000, statistics.median(legs[True]) * 1000, paired


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--requests", type=int, default=10, help="page views per leg and round")
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="ketaclinic-bench-pages-")
    try:
        clients, url = _setup(data_dir)
        from django.db import connection

        figures: dict[str, float] = {}
        ratios: dict[str, float] = {}
        print(f"database: {connection.vendor} ({data_dir})")
        print(
            f"page: {url}  {CONTACTS} contacts, {STATUS_CHANGES} status changes, "
            f"{DUPLICATES} duplicates; {args.rounds} rounds x {args.requests} requests per leg"
        )
        for role, client in clients.items():
            as_is_ms, candidate_ms, ratio = _measure(client, url, args.rounds, args.requests)
            queries = (_queries(client, url, False), _queries(client, url, True))
            print(
                f"{role}: as it is {as_is_ms:.3f} ms ({queries[0]} queries), one-query lookup "
                f"{candidate_ms:.3f} ms ({queries[1]} queries) per request (median of rounds)"
            )
            parts = _where_the_time_goes(client, url, 3 * args.requests)
            total = parts.pop("total")
            print(f"{role}: where {total:.3f} ms per request goes (instrumented, as it is):")
            for name, ms in parts.items():
                within = "  (part of templates)" if name == "form widgets" else ""
                print(f"  {name:<13} {ms:8.3f} ms  {ms / total:6.1%}{within}")
                figures[f"detail_{role}_{name.replace(' ', '_')}_share"] = ms / total
            figures[f"detail_{role}_queries"] = queries[0]
            figures[f"detail_{role}_one_query_lookup_queries"] = queries[1]
            figures[f"detail_{role}_ms"] = as_is_ms
            figures[f"detail_{role}_one_query_lookup_ms"] = candidate_ms
            ratios[f"detail_{role}_one_query_lookup_ratio"] = ratio
        for name, value in {**figures, **ratios}.items():
            print(f"{name}: {value}" if isinstance(value, int) else f"{name}: {value:.3f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
