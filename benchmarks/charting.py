"""Charting vitals at the chair under load: 20 signed-in clients post readings at once to the
production server (waitress, ``ketaclinic serve``) on loopback, on the embedded SQLite database,
as a ratio against a bare signed-in page measured in the same run.

Sets up a throwaway data directory (migrations plus the demo clinic, whose day has sessions
in the chair), signs in one nurse session per client in-process (password and second factor,
as ``ketaclinic.testing.sign_in`` does), then starts ``python -m ketaclinic serve --demo`` on a
free loopback port over that directory. Each client first reads its session page (for the
CSRF token), then, in interleaved rounds, alternately GETs the bare signed-in page (the
baseline: the home page, /home/) and POSTs one reading of vitals (each with its own idempotency key,
as the form carries) to the session it charts. Every request counts: any non-2xx/3xx answer or
a reading not stored is an error. Bounded in count (``--posts`` per client) and in time
(``--deadline-s`` for the whole run).

Ends with one ``name: value`` line per figure: p50 and p95 of each, the error count, then the
ratios (charting / bare page; the target for p95 is at most 2, with zero errors).

    .venv/bin/python benchmarks/charting.py [--clients 20] [--posts 15] [--deadline-s 240]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the repository and this folder importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_setup import demo_clinic  # noqa: E402

NURSE = "nurse@demo.ketaclinic.test"


@dataclass
class Tally:
    bare_s: list[float] = field(default_factory=list)
    chart_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SIGN_IN = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.settings"
os.environ["KETACLINIC_MODE"] = "demo"
import django
django.setup()
from django.conf import settings
from django.test import Client
from ketaclinic.accounts.models import User
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.testing import sign_in
nurse = User.objects.get(email=sys.argv[2])
in_chair = list(
    InfusionSession.objects.filter(state__in=["infusing", "recovery"])
    .order_by("id").values_list("id", flat=True)
)
print(settings.SESSION_COOKIE_NAME, *in_chair)
for _ in range(int(sys.argv[1])):
    client = Client()
    sign_in(client, nurse)
    print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def _signed_in_cookies(data_dir: Path, clients: int) -> tuple[str, list[str], list[int]]:
    """The server's session cookie name, one cookie per client (the demo nurse, both factors)
    and the sessions to chart: the demo day's sessions in the chair, spread over the clients.
    Made in a child in the server's own mode (demo), so the cookies are the ones it reads."""
    from ketaclinic.lib.child import run_python

    made = run_python(data_dir, "-c", SIGN_IN, str(clients), NURSE)
    if made.returncode != 0:
        raise SystemExit(made.stderr)
    first, *cookies = made.stdout.split("\n")
    name, *in_chair = first.split()
    if not in_chair:
        raise SystemExit("the demo clinic has no session in the chair to chart")
    sessions = [int(in_chair[i % len(in_chair)]) for i in range(clients)]
    return name, [c for c in cookies if c], sessions


def _start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    from ketaclinic.lib.child import PROJECT_ROOT, child_env

    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketaclinic", "serve", "--demo", "--no-worker", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=child_env(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            raise SystemExit("the server exited:\n" + (data_dir / "server.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                raise SystemExit("the server did not start") from None
            time.sleep(0.3)


def _req(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> urllib.request.Request:
    """A request to the loopback server only (never another scheme or host)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"not the loopback server: {url}")
    return urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(base: str, cookie_name: str, session_cookie: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    host = urllib.parse.urlsplit(base).hostname or "127.0.0.1"
    jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            cookie_name,
            session_cookie,
            None,
            False,
            host,
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
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())


def _timed(
    opener: urllib.request.OpenerDirector, req: urllib.request.Request
) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    try:
        with opener.open(req, timeout=60) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:  # 3xx (not followed) and errors
        body = error.read()
        status = error.code
    return time.perf_counter() - start, status, body


def _reading(i: int) -> dict[str, str]:
    """A plausible reading that fires no rule (120-139/75-84, HR 70-79, SpO2 97-98)."""
    return {
        "systolic_mmhg": str(120 + i % 20),
        "diastolic_mmhg": str(75 + i % 10),
        "heart_rate_bpm": str(70 + i % 10),
        "spo2_percent": str(97 + i % 2),
        "resp_rate_per_min": "14",
        "moaas": "5",
        "idempotency_key": uuid.uuid4().hex,
    }


def _client(
    base: str, cookie: tuple[str, str], session_pk: int, posts: int, stop_at: float, tally: Tally
) -> None:
    opener = _opener(base, *cookie)
    page = f"{base}/sessions/{session_pk}/"
    _, status, body = _timed(opener, _req(page))
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        with tally.lock:
            tally.errors.append(f"session page answered {status} (no CSRF token)")
        return
    token = match.group(1).decode()
    post_url = f"{base}/sessions/{session_pk}/readings/"
    for i in range(posts):
        if time.monotonic() > stop_at:
            with tally.lock:
                tally.errors.append("deadline reached before every post was made")
            return
        bare_s, bare_status, _ = _timed(opener, _req(f"{base}/home/"))
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **_reading(i)}).encode()
        req = _req(post_url, data=data, headers={"Referer": page, "X-CSRFToken": token})
        chart_s, chart_status, _ = _timed(opener, req)
        with tally.lock:
            if bare_status != 200:
                tally.errors.append(f"home page answered {bare_status}")
            else:
                tally.bare_s.append(bare_s)
            if chart_status not in (200, 302, 303):
                tally.errors.append(f"reading answered {chart_status}")
            else:
                tally.chart_s.append(chart_s)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--posts", type=int, default=15, help="readings per client")
    parser.add_argument("--deadline-s", type=float, default=240.0)
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="ketaclinic-bench-charting-"))
    proc = None
    try:
        demo_clinic(str(data_dir))
        from ketaclinic.infusions.models import VitalsReading

        cookie_name, cookies, sessions = _signed_in_cookies(data_dir, args.clients)
        before = VitalsReading.objects.count()
        port = _free_port()
        proc = _start_server(data_dir, port)
        base = f"http://127.0.0.1:{port}"
        tally = Tally()
        stop_at = time.monotonic() + args.deadline_s
        threads = [
            threading.Thread(
                target=_client,
                args=(base, (cookie_name, cookies[i]), sessions[i], args.posts, stop_at, tally),
            )
            for i in range(args.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.deadline_s + 60)
        wall_s = time.perf_counter() - started
        stored = VitalsReading.objects.count() - before
        if stored != len(tally.chart_s):
            tally.errors.append(f"{len(tally.chart_s)} readings answered, {stored} stored")
        if not tally.bare_s or not tally.chart_s:
            raise SystemExit(f"nothing measured: {tally.errors[:5]}")
        bare50, bare95 = _p(tally.bare_s, 0.5), _p(tally.bare_s, 0.95)
        chart50, chart95 = _p(tally.chart_s, 0.5), _p(tally.chart_s, 0.95)
        print("database: sqlite (embedded), server: waitress via ketaclinic serve")
        print(
            f"{args.clients} clients x {args.posts} readings over {len(set(sessions))} sessions "
            f"in {wall_s:.1f} s; {stored} readings stored"
        )
        if tally.errors:
            print("errors (first five):", "; ".join(tally.errors[:5]))
        print(f"mean_charting_ms: {statistics.mean(tally.chart_s) * 1000:.1f}")
        print(f"bare_page_p50_ms: {bare50 * 1000:.1f}")
        print(f"bare_page_p95_ms: {bare95 * 1000:.1f}")
        print(f"charting_p50_ms: {chart50 * 1000:.1f}")
        print(f"charting_p95_ms: {chart95 * 1000:.1f}")
        print(f"charting_errors: {len(tally.errors)}")
        print(f"charting_p50_ratio: {chart50 / bare50:.2f}")
        print(f"charting_p95_ratio: {chart95 / bare95:.2f}")
        return 1 if tally.errors else 0
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
