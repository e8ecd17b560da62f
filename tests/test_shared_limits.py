"""Rate limits, the sign-in lockout and the per-account cap hold ACROSS server processes.

Real processes, real HTTP: two `ketaclinic serve` processes on two ports share one data
directory (and so one database: SQLite, or PostgreSQL when DATABASE_URL is set), one under
gunicorn with two workers (`--workers 2`) and one under waitress. Every client request
alternates between them; if either counted on its own, the refusal would come later than the
shared count. The client talks as the trusted TLS proxy on 127.0.0.1 would (X-Forwarded-For,
X-Forwarded-Proto: https), so the production profile's HTTPS rules and the client address
each server derives from the proxy are exercised too.

The Redis leg runs when KETACLINIC_TEST_REDIS_URL names a Redis server (CI sets it and starts
Redis at 127.0.0.1:6379): then, when Redis does not answer, the test fails, it never skips. A
bare machine's `make test` has no Redis and deselects it (conftest.py).
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from ketaclinic.lib.child import PROJECT_ROOT, child_env, run_ketaclinic, run_python
from ketaclinic.sharedcache.models import CACHE_TABLE

REDIS_URL = os.environ.get("KETACLINIC_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
CLINIC = "shared"
ADMIN = "admin@shared.example"
INQUIRY = {
    "name": "Alex Example (test)",
    "email": "alex@example.com",
    "preferred_contact": "email",
    "consent": "on",
    "website": "",
}
LIMITS = {
    "KETACLINIC_INQUIRY_RATE": "3/10m",
    "KETACLINIC_LOCKOUT_FAILURES": "3",
    "KETACLINIC_SIGNIN_RATE_PER_ACCOUNT": "5/h",  # above the lockout test's five tries
    "KETACLINIC_TRUSTED_PROXY": "127.0.0.1",
}


# --- the database both servers share -----------------------------------------------------------


@pytest.fixture
def database() -> Iterator[dict[str, str]]:
    """Settings naming this leg's database: SQLite in the data dir, or a fresh PostgreSQL
    database on DATABASE_URL's server (dropped afterwards)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield {}
        return
    import psycopg

    name = f"kc_limits_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


# --- servers -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    settings: Mapping[str, str]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(data_dir: Path, settings: Mapping[str, str], *args: str) -> Server:
    port = _free_port()
    log = data_dir / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ketaclinic", "serve", "--port", str(port), *args],
            cwd=PROJECT_ROOT,
            env=child_env(data_dir, settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, proc, log, settings)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"serve {args} exited {proc.returncode}:\n{server.output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if time.monotonic() > deadline:
                stop(server)
                raise AssertionError(f"serve {args} did not start:\n{server.output()}") from None
            time.sleep(0.1)


def stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.fixture
def servers(
    tmp_path: Path, database: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[tuple[Server, Server]]:
    """A clinic, then gunicorn with two workers and waitress on one data dir and database."""
    extra: dict[str, str] = getattr(request, "param", {})
    settings = {**LIMITS, **database, **extra}
    if "KETACLINIC_CACHE_URL" in settings:  # this run's own keys, on a Redis others may use
        settings["KETACLINIC_CACHE_KEY_PREFIX"] = f"kc-test-{uuid.uuid4().hex[:12]}"
    first = start_server(tmp_path, settings, "--workers", "2")
    second: Server | None = None
    try:
        made = run_ketaclinic(
            tmp_path,
            *("manage", "createclinic", "--name", "Shared Clinic", "--slug", CLINIC),
            *("--time-zone", "America/Chicago", "--admin-email", ADMIN, "--admin-name", "Ad"),
            *("--base-url", "https://clinic.example.org"),
            settings=settings,
        )
        assert made.returncode == 0, made.stderr
        second = start_server(tmp_path, settings)  # after the first: it has migrated
        yield first, second
    finally:
        for server in (first, second):
            if server is not None:
                stop(server)


# --- a client behind the trusted proxy ---------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


@dataclass
class Visitor:
    """One person's browser as the TLS proxy forwards it: their address, their cookies."""

    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    peer: str = "127.0.0.1"  # where the request comes from: the trusted proxy by default

    def send(
        self, server: Server, method: str, path: str, form: dict[str, str] | str | None = None
    ) -> Answer:
        host = f"127.0.0.1:{server.port}"
        headers = {
            "Host": host,
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = form if isinstance(form, str) else urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{host}"
        conn = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=30, source_address=(self.peer, 0)
        )
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie, _, _ = value.partition(";")
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
            return Answer(response.status, text, dict(response.getheaders()))
        finally:
            conn.close()

    def post_form(self, server: Server, path: str, form: dict[str, str]) -> Answer:
        """GET the page (for its CSRF token), then POST the form to the same server."""
        page = self.send(server, "GET", path)
        assert page.status == 200, (page.status, page.body[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, page.body[:500]
        return self.send(server, "POST", path, {**form, "csrfmiddlewaretoken": token.group(1)})


def alternate(first: Server, second: Server, n: int) -> list[Server]:
    return [first if i % 2 == 0 else second for i in range(n)]


def sign_in(visitor: Visitor, server: Server, email: str) -> Answer:
    return visitor.post_form(
        server, "/accounts/login/", {"username": email, "password": "not the password at all"}
    )


# --- the limits, across both servers -----------------------------------------------------------


def assert_inquiry_limit_is_shared(first: Server, second: Server) -> None:
    form = f"/c/{CLINIC}/learn-more/"
    visitor = Visitor("203.0.113.10")
    answers = [visitor.post_form(s, form, INQUIRY) for s in alternate(first, second, 4)]
    # 3/10m: three accepted (two on the first server, one on the second), the fourth refused.
    assert [a.status for a in answers] == [302, 302, 302, 429], [a.body[:300] for a in answers]
    assert answers[0].headers["Location"] == f"/c/{CLINIC}/learn-more/thanks/"
    assert "Too many messages from your connection" in answers[3].body
    # Counted per client address, as the trusted proxy reported it: someone else may still write.
    other = Visitor("203.0.113.11").post_form(first, form, INQUIRY)
    assert other.status == 302, other.body[:300]


def assert_lockout_is_shared(first: Server, second: Server) -> None:
    visitor = Visitor("198.51.100.20")
    answers = [sign_in(visitor, s, ADMIN) for s in alternate(first, second, 4)]
    # KETACLINIC_LOCKOUT_FAILURES=3: the third failure (on the first server) locks the pair,
    # and the second server then refuses it too.
    assert [a.status for a in answers] == [200, 200, 429, 429], [a.body[:300] for a in answers]
    assert "Sign-in is locked for now" not in answers[1].body
    assert all("Sign-in is locked for now" in a.body for a in answers[2:])
    # The lockout is per (account, address): the same account from elsewhere is not locked.
    elsewhere = sign_in(Visitor("198.51.100.21"), second, ADMIN)
    assert elsewhere.status == 200
    assert "Sign-in is locked for now" not in elsewhere.body


def assert_account_cap_is_shared(first: Server, second: Server) -> None:
    email = "nobody@shared.example"
    # 5/h per account from any address: each try from a new address (so the per-address
    # lockout never trips), alternating servers; the sixth is refused.
    answers = [
        sign_in(Visitor(f"192.0.2.{30 + i}"), s, email)
        for i, s in enumerate(alternate(first, second, 6))
    ]
    assert [a.status for a in answers] == [200] * 5 + [429]
    assert "Too many sign-in attempts for this account" in answers[5].body


def assert_production_rules(server: Server) -> None:
    """What either server keeps: only the trusted proxy may say HTTPS; big bodies are refused."""
    login = "/accounts/login/"
    assert Visitor("203.0.113.50").send(server, "GET", login).status == 200
    # The same headers from another local address (not the trusted proxy) are not believed:
    # the request is plain HTTP, and production sends it to HTTPS.
    spoofed = Visitor("203.0.113.50", peer="127.0.0.2").send(server, "GET", login)
    assert spoofed.status == 301, spoofed.status
    assert spoofed.headers["Location"] == f"https://127.0.0.1:{server.port}{login}"
    big = Visitor("203.0.113.51").send(server, "POST", login, "x=" + "a" * 300_000)
    assert big.status == 413
    assert big.headers["Server"] == "ketaclinic"


def database_cache_rows(server: Server) -> int:
    """Entries in the shared database cache's table (the servers' own database)."""
    query = f"SELECT COUNT(*) FROM {CACHE_TABLE}"  # noqa: S608 - a constant
    url = server.settings.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute(query).fetchone()
    else:
        with closing(sqlite3.connect(server.log.parent / "ketaclinic.sqlite3")) as conn:
            row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def test_limits_hold_across_two_server_processes(servers: tuple[Server, Server]) -> None:
    first, second = servers
    assert first.output().count("Booting worker") == 2, first.output()
    assert "gunicorn" not in second.output()
    for server in servers:
        assert_production_rules(server)
    assert_inquiry_limit_is_shared(first, second)
    assert_lockout_is_shared(first, second)
    assert_account_cap_is_shared(first, second)
    # The counts were kept in the database both servers share.
    assert database_cache_rows(first) >= 3


def redis_keys(prefix: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis is not answering at {REDIS_URL} ({exc}). The shared-cache test needs it "
            "and never skips: start it with `redis-server --daemonize yes --bind 127.0.0.1 "
            "--port 6379 --save '' --appendonly no`."
        )
    return list(client.scan_iter(match=f"{prefix}:*"))


@pytest.mark.redis
@pytest.mark.parametrize("servers", [{"KETACLINIC_CACHE_URL": REDIS_URL}], indirect=True)
def test_limits_hold_across_two_server_processes_with_redis(
    servers: tuple[Server, Server],
) -> None:
    first, second = servers
    prefix = first.settings["KETACLINIC_CACHE_KEY_PREFIX"]
    assert redis_keys(prefix) == []  # and it fails clearly here if Redis is away
    try:
        assert_inquiry_limit_is_shared(first, second)
        assert_account_cap_is_shared(first, second)
        # The counters are in Redis, under this run's prefix, not in the database: one for
        # each inquiry address and one for the capped account.
        assert len(redis_keys(prefix)) >= 3
        assert database_cache_rows(first) == 0
    finally:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in redis_keys(prefix):
            client.delete(key)


# --- the database cache's increment --------------------------------------------------------------

INCREMENTS = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.settings"
    import django
    django.setup()
    from django.core.cache import cache
    if sys.argv[1] == "start":
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        cache.add("counter", 1, 600)
    else:
        for _ in range(int(sys.argv[1])):
            cache.incr("counter")
    print("COUNT", cache.get("counter"))
    """
)


def test_two_processes_incrementing_the_database_cache_lose_no_count(
    tmp_path: Path, database: dict[str, str]
) -> None:
    started = run_python(tmp_path, "-c", INCREMENTS, "start", settings=database)
    assert started.returncode == 0, started.stderr
    env = child_env(tmp_path, database)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", INCREMENTS, "150"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    final = run_python(tmp_path, "-c", INCREMENTS, "0", settings=database)
    assert final.stdout.split() == ["COUNT", "301"], final.stdout + final.stderr
