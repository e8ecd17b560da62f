"""A backup taken while 20 clients submit inquiries restores every inquiry confirmed before the
backup began, with an unbroken audit chain, and opens in the app.

Runs on this leg's database: SQLite on the SQLite leg, PostgreSQL (pg_dump/pg_restore) on the
PostgreSQL leg. Clients are 20 threads of one child process, each calling
``inquiries.actions.submit_inquiry`` in a loop and printing the id once it returned (the
inquiry is then committed: "confirmed"). The test reads those ids as they come; the ones read
before it starts ``ketaclinic backup`` were confirmed before the backup began.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ketaclinic.lib.child import PROJECT_ROOT, child_env, run_python
from ketaclinic.ops.tests.helpers import (
    ADMIN_EMAIL,
    SLUG,
    ketaclinic,
    leg,
    only_backup,
    settings_for,
)

CLIENTS = 20
MAX_EACH = 400  # the writers stop by themselves even if the test dies
WRITER = """
import os, sys, threading, time
from pathlib import Path
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
django.setup()
from django.db import connection
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.actions import Submission, submit_inquiry
clinic = Clinic.objects.get(slug=sys.argv[1])
clients, max_each, stop = int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
lock, failures = threading.Lock(), []
def client(n):
    try:
        for i in range(max_each):
            if stop.exists():
                break
            inquiry = submit_inquiry(clinic, Submission(
                name=f"Client {n}-{i}", consent_wording="You may contact me.",
                email=f"client{n}.{i}@example.org", message="Tell me more."))
            with lock:
                sys.stdout.write(f"confirmed {inquiry.pk}\\n")
                sys.stdout.flush()
            time.sleep(0.02)  # a client's pause, so 20 of them leave the 2 cores some room
    except Exception as exc:
        failures.append(repr(exc))
    finally:
        connection.close()
threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if failures:
    sys.exit("client failures: " + "; ".join(failures[:3]))
"""

# Opens the restored copy in the app: the public page through Django's test client, and the
# restored inquiries (each with its first status change, written in the same transaction).
CHECK = f"""
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
django.setup()
from django.test import Client
from ketaclinic.inquiries.models import Inquiry
page = Client(HTTP_HOST="localhost").get("/c/{SLUG}/")
print(json.dumps({{
    "status": page.status_code,
    "clinic_named": b"Backup Test Clinic" in page.content,
    "ids": list(Inquiry.objects.values_list("pk", flat=True)),
    "without_status_change": Inquiry.objects.filter(status_changes__isnull=True).count(),
}}))
"""


def _wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_backup_under_concurrent_writes_restores_every_confirmed_inquiry(
    tmp_path: Path,
    fresh_database: Callable[[str], str | None],
    clinic: Callable[[Path], str | None],
) -> None:
    source, target, backups = tmp_path / "source", tmp_path / "target", tmp_path / "backups"
    source_url, target_url = clinic(source), fresh_database("dst")
    stop = tmp_path / "stop-writing"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, SLUG, str(CLIENTS), str(MAX_EACH), str(stop)],
        cwd=PROJECT_ROOT,
        env=child_env(source, settings_for(source_url)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    confirmed: list[int] = []
    other_output: list[str] = []

    def read() -> None:
        assert writer.stdout is not None
        for line in writer.stdout:
            if line.startswith("confirmed "):
                confirmed.append(int(line.split()[1]))
            else:
                other_output.append(line)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        _wait_for(lambda: len(confirmed) >= CLIENTS or writer.poll() is not None, 120, "writes")
        before = set(confirmed)
        backup = ketaclinic(source, "backup", "--to", str(backups), database_url=source_url)
        during = len(confirmed) - len(before)
    finally:
        stop.touch()
        _, errors = writer.communicate(timeout=120)
        reader.join(timeout=30)
    assert writer.returncode == 0, errors
    assert other_output == []
    assert backup.returncode == 0, backup.stderr
    assert len(before) >= CLIENTS
    assert during > 0, "no inquiry was confirmed while the backup ran"

    restore = ketaclinic(target, "restore", str(only_backup(backups)), database_url=target_url)
    assert restore.returncode == 0, restore.stderr
    assert "audit chain OK" in restore.stdout

    check = run_python(
        target, "-c", CHECK, settings={**settings_for(target_url), "KETACLINIC_DEBUG": "1"}
    )
    assert check.returncode == 0, check.stderr
    opened = json.loads(check.stdout.strip().splitlines()[-1])
    restored = set(opened["ids"])
    assert before <= restored  # every inquiry confirmed before the backup began
    assert restored <= set(confirmed)  # and nothing that was never submitted
    assert opened["without_status_change"] == 0
    assert opened["status"] == 200 and opened["clinic_named"]

    manifest = json.loads((only_backup(backups) / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == leg()
    assert manifest["row_counts"]["inquiries_inquiry"] == len(restored)

    anchors = source / "anchors" / "anchors.jsonl"
    verify = ketaclinic(
        target, "audit", "verify", "--anchors", str(anchors), database_url=target_url
    )
    assert verify.returncode == 0, verify.stderr
    assert "audit chain OK" in verify.stdout and "anchors OK" in verify.stdout
    (mail,) = (source / "outbox").iterdir()
    text = mail.read_text()
    assert ADMIN_EMAIL in text and manifest["audit"]["head_hash"] in text
    assert "Client " not in text and "example.org" not in text  # no visitor data in the mail
