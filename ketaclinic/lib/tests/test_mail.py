"""Mail written to files goes to one folder a day: outbox/YYYY-MM-DD/ (UTC)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import time_machine
from django.core import mail
from django.test import SimpleTestCase, override_settings

BACKEND = "ketaclinic.lib.mail.DayFolderEmailBackend"
MONDAY = dt.datetime(2026, 3, 2, 23, 59, 30, tzinfo=dt.UTC)


class DayFolderMailTests(SimpleTestCase):
    def setUp(self) -> None:
        self.outbox = Path(tempfile.mkdtemp()) / "outbox"
        settings = override_settings(EMAIL_BACKEND=BACKEND, EMAIL_FILE_PATH=str(self.outbox))
        settings.enable()
        self.addCleanup(settings.disable)

    def send(self, subject: str) -> None:
        mail.send_mail(subject, "Body", "from@example.org", ["to@example.org"])

    def test_each_day_has_its_own_folder(self) -> None:
        with time_machine.travel(MONDAY, tick=False) as clock:
            self.send("Sent on Monday")
            clock.shift(dt.timedelta(minutes=1))  # past midnight
            self.send("Sent on Tuesday")
        monday = list((self.outbox / "2026-03-02").glob("*.log"))
        tuesday = list((self.outbox / "2026-03-03").glob("*.log"))
        self.assertEqual(len(monday), 1)
        self.assertEqual(len(tuesday), 1)
        self.assertIn("Subject: Sent on Monday", monday[0].read_text())
        self.assertIn("Subject: Sent on Tuesday", tuesday[0].read_text())
        self.assertEqual([p.name for p in self.outbox.iterdir() if p.is_file()], [])

    def test_folders_and_messages_are_private_whatever_the_umask(self) -> None:
        old = os.umask(0o022)
        try:
            with time_machine.travel(MONDAY, tick=False):
                self.send("Private")
        finally:
            os.umask(old)
        [message] = self.outbox.rglob("*.log")
        self.assertEqual(self.outbox.stat().st_mode & 0o777, 0o700)
        self.assertEqual(message.parent.stat().st_mode & 0o777, 0o700)
        self.assertEqual(message.stat().st_mode & 0o777, 0o600)

    def test_one_connection_writes_its_messages_to_one_file(self) -> None:
        with time_machine.travel(MONDAY, tick=False), mail.get_connection() as connection:
            for n in range(3):
                mail.EmailMessage(f"Number {n}", "Body", to=["to@example.org"]).send()
            connection.send_messages(
                [mail.EmailMessage(f"Batch {n}", "Body", to=["a@example.org"]) for n in range(2)]
            )
        files = list(self.outbox.rglob("*.log"))
        self.assertEqual(len(files), 4)  # three sends of their own, one batch
        batch = [p for p in files if "Batch 0" in p.read_text()]
        self.assertEqual(len(batch), 1)
        self.assertIn("Batch 1", batch[0].read_text())
