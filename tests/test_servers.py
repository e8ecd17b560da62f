"""`ketaclinic serve --workers N`: the choice of server, the proxy rules, gunicorn's workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from ketaclinic.lib import servers
from ketaclinic.lib.child import PROJECT_ROOT, child_env, run_ketaclinic

# --- options ------------------------------------------------------------------------------------


def test_windows_refuses_more_than_one_worker_and_one_is_fine_everywhere() -> None:
    problem = servers.workers_problem(2, platform="win32")
    assert problem is not None and "does not run on Windows" in problem
    assert servers.workers_problem(1, platform="win32") is None
    assert servers.workers_problem(4, platform="linux") is None
    assert servers.workers_problem(4, platform="darwin") is None
    assert servers.workers_problem(0, platform="linux") == "--workers must be 1 or more"


@pytest.mark.parametrize("value", ["*", "proxy.internal", "10.0.0.0/8", "127.0.0.1,10.0.0.2"])
def test_the_trusted_proxy_must_be_one_address(value: str) -> None:
    assert servers.trusted_proxy_problem(value) is not None
    assert servers.trusted_proxy_problem("10.0.0.2") is None
    assert servers.trusted_proxy_problem("::1") is None
    assert servers.trusted_proxy_problem("") is None


def test_serve_refuses_bad_worker_counts_and_a_wildcard_proxy_before_starting(
    tmp_path: Path,
) -> None:
    zero = run_ketaclinic(tmp_path, "serve", "--workers", "0")
    assert zero.returncode == 2
    assert "--workers must be 1 or more" in zero.stderr
    wildcard = run_ketaclinic(
        tmp_path, "serve", "--workers", "2", settings={"KETACLINIC_TRUSTED_PROXY": "*"}
    )
    assert wildcard.returncode == 2
    assert "KETACLINIC_TRUSTED_PROXY must be the proxy's IP address, not '*'" in wildcard.stderr
    assert not (tmp_path / "ketaclinic.sqlite3").exists()  # refused before touching the data


def test_gunicorn_trusts_exactly_the_named_proxy_and_nothing_else() -> None:
    options = servers.Options("127.0.0.1", 8000, 8, 4, "10.0.0.2")
    config = servers.gunicorn_settings(options)
    assert config["forwarded_allow_ips"] == "10.0.0.2"
    assert config["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
    assert config["forwarder_headers"] == ""
    assert config["workers"] == 4 and config["threads"] == 8
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["preload_app"] is True
    no_proxy = servers.gunicorn_settings(servers.Options("::1", 8000, 8, 2))
    assert no_proxy["forwarded_allow_ips"] == ""  # not gunicorn's default of 127.0.0.1
    assert no_proxy["bind"] == ["[::1]:8000"]

    from gunicorn.config import Config

    cfg = Config()
    for key, value in config.items():
        cfg.set(key, value)
    assert cfg.forwarded_allow_ips == ["10.0.0.2"]
    assert cfg.control_socket_disable is True
    empty = Config()
    empty.set("forwarded_allow_ips", no_proxy["forwarded_allow_ips"])
    assert empty.forwarded_allow_ips == []


# --- the proxy middleware that gunicorn's path adds ---------------------------------------------


def call(proxy: str, environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(env)
        start_response("200 OK", [])
        return [b""]

    status: list[str] = []
    servers.TrustedProxy(app, proxy)(environ, lambda s, h: status.append(s))
    return status[0], seen


def test_the_trusted_proxy_sets_the_client_address_from_its_last_hop() -> None:
    status, env = call(
        "10.0.0.2",
        {
            "REMOTE_ADDR": "10.0.0.2",
            "REMOTE_PORT": "50000",
            # The first hop is whatever the client claimed; the last is what the proxy saw.
            "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.9",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_FORWARDED": "for=192.0.2.1",
        },
    )
    assert status == "200 OK"
    assert env["REMOTE_ADDR"] == "203.0.113.9"
    assert "REMOTE_PORT" not in env
    assert not [k for k in env if "FORWARDED" in k]


def test_anyone_else_keeps_their_own_address_and_loses_the_headers() -> None:
    _, env = call("10.0.0.2", {"REMOTE_ADDR": "10.0.0.3", "HTTP_X_FORWARDED_FOR": "203.0.113.9"})
    assert env["REMOTE_ADDR"] == "10.0.0.3"
    assert "HTTP_X_FORWARDED_FOR" not in env
    _, unset = call("", {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"})
    assert unset["REMOTE_ADDR"] == "10.0.0.2"
    assert "HTTP_X_FORWARDED_FOR" not in unset


def test_a_malformed_forwarded_for_from_the_proxy_is_a_bad_request() -> None:
    status, env = call("10.0.0.2", {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "unknown"})
    assert status == "400 Bad Request"
    assert env == {}  # the application never saw it


@pytest.mark.parametrize(
    ("hop", "address"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("203.0.113.9:4711", "203.0.113.9"),
        ("2001:DB8::1", "2001:db8::1"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ('"[2001:db8::1]"', "2001:db8::1"),
        ("", None),
        ("_hidden", None),
    ],
)
def test_forwarded_client_reads_the_spellings_proxies_use(hop: str, address: str | None) -> None:
    assert servers.forwarded_client(f"192.0.2.1, {hop}") == address


# --- gunicorn workers leave without running the master's clean-up --------------------------------

MASTER = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.settings"
    import django
    django.setup()
    from ketaclinic.lib import servers

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(os.getpid()).encode()]

    try:
        servers.run(app, servers.Options("127.0.0.1", int(sys.argv[1]), 2, 2))
    finally:
        print("CLEANUP", os.getpid(), flush=True)
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate: Any, what: str, log: Path, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}:\n{log.read_text()}")
        time.sleep(0.1)


def test_a_worker_that_exits_does_not_run_the_masters_clean_up(tmp_path: Path) -> None:
    """A worker leaves gunicorn with SystemExit; without the guard in servers.run it would
    unwind through the caller's ``finally`` (e.g. stopping the master's child processes)."""
    port = _free_port()
    log = tmp_path / "master.log"
    with log.open("w") as out:
        master = subprocess.Popen(
            [sys.executable, "-c", MASTER, str(port)],
            cwd=PROJECT_ROOT,
            env=child_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def workers() -> list[int]:
        return [int(p) for p in re.findall(r"Booting worker with pid: (\d+)", log.read_text())]

    try:
        _wait_for(lambda: len(workers()) == 2, "two workers did not boot", log)
        os.kill(workers()[0], signal.SIGTERM)  # the worker exits; gunicorn starts another
        _wait_for(lambda: len(workers()) == 3, "no worker replaced the one that ended", log)
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)
    cleanups = re.findall(r"CLEANUP (\d+)", log.read_text())
    assert cleanups == [str(master.pid)], log.read_text()
