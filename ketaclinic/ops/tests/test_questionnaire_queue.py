"""Issue 9's queue test: two real ``ketaclinic worker`` processes send 30 due questionnaire
sends on this leg's database (SQLite file or PostgreSQL), one is killed with SIGKILL in the
middle of the batch, and afterwards every send went out, none twice except at most the one in
flight at the kill, and that one with the same link.

Each send sleeps ``KETACLINIC_TEST_SEND_DELAY_S`` before it goes (the test-only setting of
``measurement.sends``), so the kill lands mid-batch; the lease is 3 seconds, so the survivor
reclaims the dead worker's row soon after.
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ketaclinic.lib.child import PROJECT_ROOT, child_env, run_python
from ketaclinic.ops.tests.helpers import settings_for

SENDS = 30
DELAY_S = "0.3"
LEASE_S = "3"
TOKEN = re.compile(r"/q/([^/\s]+)/")

# Makes a coordinator and SENDS patients, each with a weekly schedule whose one send (it ends
# today) is due this minute: SENDS due sends, planned by the planner itself.
SETUP = f"""
import datetime as dt, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
django.setup()
from django.utils import timezone
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.measurement import schedules
from ketaclinic.patients import actions
clinic = Clinic.objects.get()
user = User.objects.create_user("coordinator@queue.example", full_name="Cora Coordinator")
coordinator = Membership.objects.create(user=user, clinic=clinic, role=Role.COORDINATOR)
local = timezone.localtime(timezone.now(), clinic_zone(clinic))
for n in range({SENDS}):
    patient = actions.create_patient(coordinator, clinic, values={{
        "legal_given_name": f"Quinn{{n}}", "legal_family_name": "Queue",
        "date_of_birth": dt.date(1980, 1, 1), "sex_at_birth": "female",
        "email": f"quinn{{n}}@example.com"}})
    schedules.save_schedule(coordinator, patient, {{
        "instruments": ["phq9"], "via": ["email"], "weekly": True,
        "weekly_weekday": local.weekday(), "start_on": local.date(), "end_on": local.date(),
        "send_time": local.time().replace(second=0, microsecond=0), "reminder_max": 0}},
        site_url="http://clinic.example/")
"""


class Rows:
    """Reads the due sends straight from the database (no Django in this process's way)."""

    QUERY = (
        "SELECT d.key, d.status, d.attempts, d.claimed_by, l.token_hash"
        " FROM measurement_duesend d"
        " LEFT JOIN measurement_questionnairerequest r ON r.id = d.questionnaire_request_id"
        " LEFT JOIN securelinks_securelink l ON l.id = r.link_id ORDER BY d.id"
    )

    def __init__(self, data: Path, url: str | None) -> None:
        self.data, self.url = data, url

    def all(self) -> list[tuple[Any, ...]]:
        if self.url is None:
            with sqlite3.connect(self.data / "ketaclinic.sqlite3", timeout=20) as conn:
                return list(conn.execute(self.QUERY))
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
            return list(conn.execute(self.QUERY))

    def requests(self) -> int:
        query = "SELECT COUNT(*) FROM measurement_questionnairerequest"
        if self.url is None:
            with sqlite3.connect(self.data / "ketaclinic.sqlite3", timeout=20) as conn:
                return int(conn.execute(query).fetchone()[0])
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
            row = conn.execute(query).fetchone()
            assert row is not None
            return int(row[0])


def _worker(data: Path, url: str | None) -> subprocess.Popen[bytes]:
    env = child_env(
        data,
        {
            **settings_for(url),
            "KETACLINIC_TEST_SEND_DELAY_S": DELAY_S,
            "KETACLINIC_QUESTIONNAIRE_SEND_EVERY_S": "1",
            "KETACLINIC_QUESTIONNAIRE_SEND_LEASE_S": LEASE_S,
        },
    )
    return subprocess.Popen(
        [sys.executable, "-m", "ketaclinic", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(data.parent / f"worker-{time.monotonic_ns()}.log").open("w"),
    )


def _wait(data: Path, condition: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        logs = [p.read_text()[-3000:] for p in data.parent.glob("worker-*.log")]
        assert time.monotonic() < deadline, (
            f"timed out waiting for {what}: {logs} {condition.__name__}"
        )
        time.sleep(0.05)


def _sent_tokens(data: Path) -> list[str]:
    out = []
    for path in (data / "outbox").rglob("*"):
        if path.is_file():
            out += TOKEN.findall(path.read_text(errors="replace"))
    return out


def test_two_workers_and_a_kill_9_send_every_due_send_once_with_one_link(
    tmp_path: Path, clinic: Callable[[Path], str | None]
) -> None:
    data = tmp_path / "data"
    url = clinic(data)
    made = run_python(data, "-c", SETUP, settings=settings_for(url))
    assert made.returncode == 0, made.stderr
    rows = Rows(data, url)
    first, second = _worker(data, url), _worker(data, url)
    victim = f"-{first.pid}"
    try:

        def victim_mid_batch() -> bool:
            mine = [r for r in rows.all() if r[3].endswith(victim)]
            return sum(r[1] == "sent" for r in mine) >= 2 and any(r[1] == "claimed" for r in mine)

        _wait(data, victim_mid_batch, "the first worker to be sending its third row")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        in_flight = [r[0] for r in rows.all() if r[1] == "claimed" and r[3].endswith(victim)]
        _wait(data, lambda: all(r[1] == "sent" for r in rows.all()), "every due send to be sent")
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    final = rows.all()
    assert len(final) == SENDS and all(r[1] == "sent" for r in final)
    by_hash = collections.Counter(
        hashlib.sha256(token.encode()).hexdigest() for token in _sent_tokens(data)
    )
    links = [r[4] for r in final]
    # One link per due send, every one delivered; nothing delivered that is not one of them.
    assert len(set(links)) == SENDS and set(by_hash) == set(links)
    assert rows.requests() == SENDS
    twice = [key for key, _s, _a, _c, h in final if by_hash[h] > 1]
    assert all(by_hash[h] <= 2 for h in links)
    # At most the row in flight at the kill went twice (same link: counted by its token).
    assert len(twice) <= 1 and set(twice) <= set(in_flight)
    # The survivor took the dead worker's row over after the lease: a second attempt. (The
    # kill lands between two rows only if it hits the microseconds between a send's end and
    # the next claim; then nothing was in flight.)
    assert len(in_flight) <= 1
    for row in [r for r in final if r[0] in in_flight]:
        assert row[2] == 2 and row[3].endswith(f"-{second.pid}")
    print(  # the figures, for the record (pytest -s)
        f"sent {sum(by_hash.values())} messages for {SENDS} sends; in flight at the kill "
        f"{in_flight}; twice {twice}; by the killed worker "
        f"{sum(r[3].endswith(victim) for r in final)}"
    )
    both = {r[3].rsplit("-", 1)[1] for r in final}
    assert both == {str(first.pid), str(second.pid)}
