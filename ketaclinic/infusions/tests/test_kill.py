"""Issue 11, item 7: a server killed in the middle of a session loses nothing that was
confirmed. The real ``ketaclinic serve --demo`` (waitress, the embedded SQLite database) takes
readings for a demo session in the chair; right after the last one is acknowledged, the server
is killed with SIGKILL (no shutdown, no flush). A new process then finds every acknowledged
reading, and the audit chain still verifies.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from ketaclinic.lib.child import PROJECT_ROOT, child_env, run_ketaclinic, run_python

READINGS = 5

# In a child on the server's data directory: a signed-in nurse session (both factors, as
# ketaclinic.testing.sign_in does) and a demo session in the chair.
SIGN_IN = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.settings"
os.environ["KETACLINIC_MODE"] = "demo"
import django
django.setup()
from django.conf import settings
from django.test import Client
from ketaclinic.accounts.models import User
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.testing import sign_in
client = Client()
sign_in(client, User.objects.get(email="nurse@demo.ketaclinic.test"))
session = InfusionSession.objects.filter(state="infusing").order_by("id").first()
print(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value, session.pk)
"""

COUNT = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.settings"
os.environ["KETACLINIC_MODE"] = "demo"
import django
django.setup()
from ketaclinic.infusions.models import VitalsReading
keys = sys.argv[1].split(",")
print(VitalsReading.objects.filter(idempotency_key__in=keys).count())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketaclinic", "serve", "--demo", "--no-worker", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=child_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None, "the server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _open(opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:  # fmt: skip
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:  # the 302 (not followed) lands here
        return error.code, error.read()


def test_a_server_killed_after_acknowledging_readings_keeps_every_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = run_ketaclinic(data, "demo", timeout_s=600)
    assert made.returncode == 0, made.stderr
    signed = run_python(data, "-c", SIGN_IN)
    assert signed.returncode == 0, signed.stderr
    cookie_name, cookie, session_pk = signed.stdout.split()
    port = _free_port()
    server = _serve(data, port)
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    try:
        jar = http.cookiejar.CookieJar()  # the session cookie, then the CSRF cookie it gets
        jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                cookie_name,
                cookie,
                None,
                False,
                "127.0.0.1",
                False,
                False,
                "/",
                True,
                False,
                None,
                True,
                None,
                None,
                {},
            )  # fmt: skip
        )
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        page = f"{base}/sessions/{session_pk}/"
        status, body = _open(opener, page)
        assert status == 200
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match is not None
        token = match.group(1).decode()
        for i in range(READINGS):
            key = uuid.uuid4().hex
            form = {
                "csrfmiddlewaretoken": token, "idempotency_key": key,
                "systolic_mmhg": str(122 + i), "diastolic_mmhg": "78", "heart_rate_bpm": "74",
                "spo2_percent": "98", "resp_rate_per_min": "14",
            }  # fmt: skip
            status, _ = _open(
                opener, f"{page}readings/", data=urllib.parse.urlencode(form).encode(),
                headers={"Referer": page, "X-CSRFToken": token},
            )  # fmt: skip
            assert status == 302, status  # acknowledged: stored and redirected to the screen
            acknowledged.append(key)
        os.kill(server.pid, signal.SIGKILL)  # no shutdown, no flush
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
    counted = run_python(data, "-c", COUNT, ",".join(acknowledged))
    assert counted.returncode == 0, counted.stderr
    assert int(counted.stdout.strip()) == READINGS
    verified = run_ketaclinic(data, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
