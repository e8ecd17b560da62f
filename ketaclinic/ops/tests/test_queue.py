"""The task queue: the daily scheduler (in process, on this leg's test database with the
database backend), a real worker running the daily task through the database backend (this
leg's database), and ``ketaclinic serve`` starting and stopping its worker child."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import time_machine
from django.test import TestCase, override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ketaclinic.lib.child import PROJECT_ROOT, child_env, run_python
from ketaclinic.ops.queue import daily_tasks, schedule_due
from ketaclinic.ops.tasks import record_daily_anchor
from ketaclinic.ops.tests.helpers import ADMIN_EMAIL, ketaclinic, settings_for

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DAILY = "ketaclinic.ops.tasks.record_daily_anchor"
SWEEP = "ketaclinic.inquiries.tasks.resend_unsent_staff_notifications"
CONSENT_EXPIRY = "ketaclinic.consents.tasks.expire_consents"
REMINDER_SWEEP = "ketaclinic.scheduling.tasks.send_due_booking_reminders"
PLANNER = "ketaclinic.measurement.tasks.plan_questionnaire_sends"
SENDER = "ketaclinic.measurement.tasks.send_due_questionnaires"
LEDGER_REMINDER = "ketaclinic.ledger.tasks.remind_custodians"
EVERY_DAY = sorted([DAILY, SWEEP, CONSENT_EXPIRY, REMINDER_SWEEP, PLANNER, LEDGER_REMINDER])
T0 = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


@override_settings(TASKS=DATABASE_TASKS)
class DailyScheduleTests(TestCase):
    def test_the_anchor_task_is_daily(self) -> None:
        assert DAILY in [t.module_path for t in daily_tasks()]

    def test_a_daily_task_is_enqueued_once_a_day(self) -> None:
        with time_machine.travel(T0, tick=False):
            assert sorted(schedule_due()) == EVERY_DAY
            assert schedule_due() == []
        with time_machine.travel(T0 + dt.timedelta(hours=23, minutes=59), tick=False):
            assert schedule_due() == []
        with time_machine.travel(T0 + dt.timedelta(hours=24, seconds=1), tick=False):
            assert sorted(schedule_due()) == EVERY_DAY
        assert DBTaskResult.objects.filter(task_path=DAILY).count() == 2

    def test_a_failed_run_is_retried_after_an_hour_and_a_running_one_blocks(self) -> None:
        with time_machine.travel(T0, tick=False):
            assert sorted(schedule_due()) == EVERY_DAY
            DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=T0)
        with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
            assert schedule_due() == []  # still running (or its worker died: retried after 24 h)
            DBTaskResult.objects.update(
                status=TaskResultStatus.FAILED, finished_at=T0 + dt.timedelta(hours=1, minutes=30)
            )
            assert schedule_due() == []  # failed 30 minutes ago
        with time_machine.travel(T0 + dt.timedelta(hours=2, minutes=31), tick=False):
            assert sorted(schedule_due()) == EVERY_DAY

    def test_enqueueing_writes_a_ready_row_for_the_worker(self) -> None:
        result = record_daily_anchor.enqueue()
        row = DBTaskResult.objects.get(pk=result.id)
        assert (row.status, row.task_path) == (TaskResultStatus.READY, DAILY)


STATUSES = """
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
django.setup()
from django_tasks_db.models import DBTaskResult
print(json.dumps(list(DBTaskResult.objects.values_list("task_path", "status"))))
"""


def test_the_worker_runs_the_daily_task_through_the_database_backend(
    tmp_path: Path, clinic: Callable[[Path], str | None]
) -> None:
    data = tmp_path / "data"
    url = clinic(data)
    for _ in range(2):  # the second run finds today's anchor already done
        result = ketaclinic(data, "worker", "--once", database_url=url)
        assert result.returncode == 0, result.stderr
    (line,) = (data / "anchors" / "anchors.jsonl").read_text().splitlines()
    assert json.loads(line)["source"] == "daily"
    (mail,) = [p for p in (data / "outbox").rglob("*") if p.is_file()]  # day folders
    assert ADMIN_EMAIL in mail.read_text()
    statuses = run_python(data, "-c", STATUSES, settings=settings_for(url))
    assert statuses.returncode == 0, statuses.stderr
    # The periodic questionnaire sender ran too (nothing due here), once: the second tick came
    # within its interval.
    ran = sorted(json.loads(statuses.stdout))
    assert ran == sorted([[path, "SUCCESSFUL"] for path in EVERY_DAY] + [[SENDER, "SUCCESSFUL"]])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/", headers={"Host": "127.0.0.1"})
        conn.getresponse().read()
        conn.close()
    except OSError:
        return False
    return True


class _Served:
    """``ketaclinic serve`` in a child process, its output collected as it comes."""

    def __init__(self, data: Path, *args: str) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ketaclinic", "serve", "--port", str(self.port), *args],
            cwd=PROJECT_ROOT,
            # Development mode: plain static files, so collectstatic is quick.
            env=child_env(data, {"KETACLINIC_DEBUG": "1"}),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.lines}"
            time.sleep(0.1)

    def stop(self) -> int:
        self.process.terminate()
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        return code


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_serve_runs_a_worker_beside_it_and_stops_it_and_no_worker_runs_none(
    tmp_path: Path, sqlite_clinic: Callable[[Path], Path]
) -> None:
    data = sqlite_clinic(tmp_path / "data")
    anchors = data / "anchors" / "anchors.jsonl"
    served = _Served(data)
    try:
        served.wait_until(anchors.exists, "the worker's daily anchor")
        served.wait_until(lambda: _answers(served.port), "the web server")
    finally:
        code = served.stop()
    assert code == 0, "".join(served.lines)
    (started,) = [line for line in served.lines if line.startswith("task worker started (pid ")]
    worker_pid = int(started.split("pid ")[1].rstrip(")\n"))
    assert _gone(worker_pid)  # stopped with the server, and reaped by it
    assert not any("the task worker stopped" in line for line in served.lines)

    alone = _Served(data, "--no-worker")
    try:
        alone.wait_until(lambda: _answers(alone.port), "the web server")
    finally:
        assert alone.stop() == 0
    assert not any("task worker" in line for line in alone.lines)
    assert len(anchors.read_text().splitlines()) == 1
