"""The messaging backends: email through Django's mail, text messages by setting."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import stat
import tempfile
import threading
from contextlib import redirect_stdout
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import time_machine
from django.core import mail
from django.test import SimpleTestCase, override_settings

from ketaclinic.lib.messaging import (
    InvalidPhoneNumber,
    send_email,
    send_sms,
    sms,
    to_e164,
)

MONDAY = dt.datetime(2026, 3, 2, 10, 15, 0, tzinfo=dt.UTC)


class PhoneNumberTests(SimpleTestCase):
    def test_it_writes_national_and_international_numbers_in_e164(self) -> None:
        assert to_e164("(415) 555-0123") == "+14155550123"
        assert to_e164("+44 20 7946 0958") == "+442079460958"
        assert to_e164("020 7946 0958", region="GB") == "+442079460958"

    def test_it_refuses_what_is_not_a_phone_number(self) -> None:
        for raw in ("", "hello", "12", "+1 555 01"):
            with self.assertRaises(InvalidPhoneNumber, msg=raw):
                to_e164(raw)


class EmailTests(SimpleTestCase):
    def test_it_sends_plain_text_through_djangos_backend(self) -> None:
        assert send_email("pat@example.com", "Your intake", "Open https://x/i/abc/") == 1
        assert len(mail.outbox) == 1
        sent = mail.outbox[0]
        assert sent.to == ["pat@example.com"]
        assert sent.subject == "Your intake"
        assert sent.body == "Open https://x/i/abc/"
        assert sent.from_email == "ketaclinic@localhost"

    def test_it_writes_to_the_day_folder_outbox_without_smtp(self) -> None:
        outbox = Path(tempfile.mkdtemp()) / "outbox"
        self.addCleanup(shutil.rmtree, outbox.parent)
        with (
            override_settings(
                EMAIL_BACKEND="ketaclinic.lib.mail.DayFolderEmailBackend",
                EMAIL_FILE_PATH=str(outbox),
            ),
            time_machine.travel(MONDAY, tick=False),
        ):
            send_email(["a@example.com"], "Hello", "Body line")
        (file,) = list((outbox / "2026-03-02").iterdir())
        text = file.read_text()
        assert "To: a@example.com" in text
        assert "Body line" in text


class FileSmsTests(SimpleTestCase):
    def setUp(self) -> None:
        self.outbox = Path(tempfile.mkdtemp()) / "outbox"
        self.addCleanup(shutil.rmtree, self.outbox.parent)
        settings = override_settings(
            SMS_BACKEND="ketaclinic.lib.messaging.sms.FileSmsBackend",
            SMS_FILE_PATH=str(self.outbox),
            SMS_SENDER="Sturges",
        )
        settings.enable()
        self.addCleanup(settings.disable)

    def test_it_writes_one_private_file_per_message_in_the_days_folder(self) -> None:
        with time_machine.travel(MONDAY, tick=False):
            first = send_sms("+14155550123", "Your link: https://x/i/abc/")
            second = send_sms("+14155550124", "Second")
        folder = self.outbox / "2026-03-02"
        files = sorted(folder.iterdir())
        assert {f.name for f in files} == {first, second}
        assert all(f.suffix == ".sms" for f in files)
        texts = {f.read_text() for f in files}
        assert (
            "To: +14155550123\nFrom: Sturges\nDate: 2026-03-02T10:15:00+00:00\n\n"
            "Your link: https://x/i/abc/\n"
        ) in texts
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)

    def test_it_refuses_a_number_not_in_e164_and_writes_nothing(self) -> None:
        with self.assertRaises(InvalidPhoneNumber):
            send_sms("415 555 0123", "Hello")
        assert not self.outbox.exists()


class OtherSmsBackendTests(SimpleTestCase):
    @override_settings(SMS_BACKEND="ketaclinic.lib.messaging.sms.ConsoleSmsBackend")
    def test_the_console_backend_prints_the_message(self) -> None:
        out = io.StringIO()
        with redirect_stdout(out):
            assert send_sms("+14155550123", "Hello there") == ""
        assert "To: +14155550123\n" in out.getvalue()
        assert "\n\nHello there\n" in out.getvalue()

    def test_the_locmem_backend_keeps_messages_in_memory(self) -> None:
        sms.outbox.clear()
        send_sms("+14155550123", "Kept")
        assert sms.outbox == [sms.SmsMessage("+14155550123", "Kept", "")]

    @override_settings(SMS_BACKEND="ketaclinic.lib.mail.DayFolderEmailBackend")
    def test_it_refuses_a_setting_that_names_no_sms_backend(self) -> None:
        with self.assertRaises(TypeError):
            send_sms("+14155550123", "Hello")

    @override_settings(
        SMS_BACKEND="ketaclinic.lib.messaging.sms.HttpSmsBackend", SMS_HTTP_URL="http://x/"
    )
    def test_the_http_backend_refuses_a_plain_http_address(self) -> None:
        with self.assertRaises(ValueError):
            send_sms("+14155550123", "Hello")


class _Provider(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"auth": self.headers["Authorization"], "json": json.loads(body)})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "msg-42"}')

    def log_message(self, *args: Any) -> None:
        pass


class HttpSmsBackendTests(SimpleTestCase):
    def test_it_posts_json_with_the_token_and_returns_the_providers_id(self) -> None:
        server = HTTPServer(("127.0.0.1", 0), _Provider)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        _Provider.received.clear()

        class PlainHttpForTheTest(sms.HttpSmsBackend):
            def __init__(self) -> None:
                self.url = f"http://127.0.0.1:{server.server_port}/send"
                self.token = "secret-token"

        message_id = PlainHttpForTheTest().send(sms.SmsMessage("+14155550123", "Hi", "Clinic"))
        assert message_id == "msg-42"
        assert _Provider.received == [
            {
                "auth": "Bearer secret-token",
                "json": {"to": "+14155550123", "from": "Clinic", "body": "Hi"},
            }
        ]
