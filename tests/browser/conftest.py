"""Real-browser fixtures: the real `ketaclinic serve --demo` in a subprocess, and Debian's
Chromium driven by Playwright. Nothing here skips: a missing browser is a failure."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from ketaclinic.lib.child import child_env

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("KETACLINIC_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "demo-clinic-password"  # noqa: S105 - the printed demo password
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class DemoServer:
    def __init__(self, base_url: str, output: str, data_dir: Path) -> None:
        self.base_url = base_url
        self.output = output
        # The server's data directory; its mail goes to files in data_dir / "outbox".
        self.data_dir = data_dir
        # The 30-second step of the last code handed out per account: a TOTP code passes once
        # only, so a second sign-in within the same step waits for the next code.
        self._last_step: dict[str, int] = {}

    def totp_secret(self, email: str) -> str:
        match = re.search(rf"{re.escape(email)}\s+TOTP secret ([A-Z2-7]+)", self.output)
        assert match, f"no TOTP secret printed for {email}"
        return match.group(1)

    def sign_in(self, page: Page, email: str) -> None:
        """Password, then the current TOTP code computed from the printed secret."""
        page.goto(f"{self.base_url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Authentication code").fill(self.totp_code(email))
        page.get_by_role("button", name="Verify").click()

    def totp_code(self, email: str) -> str:
        """The account's current code, never one already handed out (waits for the next step)."""
        import base64

        from django_otp.oath import totp

        step = int(time.time() // 30)
        if self._last_step.get(email) == step:
            time.sleep(30 - time.time() % 30 + 0.5)
            step = int(time.time() // 30)
        self._last_step[email] = step
        key = base64.b32decode(self.totp_secret(email))
        return f"{totp(key):06d}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    # Every browser test posts from 127.0.0.1: a roomier inquiry limit than production's keeps
    # them from tripping it (the limit itself is tested in the inquiries app).
    env = child_env(data_dir, {"KETACLINIC_INQUIRY_RATE": "60/10m"})
    log_path = data_dir / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketaclinic", "serve", "--demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            raise RuntimeError("demo server exited:\n" + log_path.read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError("demo server did not start:\n" + log_path.read_text()) from None
            time.sleep(0.3)
    try:
        yield DemoServer(base_url, log_path.read_text(), data_dir)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
