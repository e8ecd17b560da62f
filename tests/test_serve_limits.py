"""`ketaclinic serve` refuses a body larger than any page accepts from its declared length,
before reading it: the real server in a subprocess, spoken to over a raw socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketaclinic.lib.child import PROJECT_ROOT, child_env

# What the server must answer within; a server that waits for the body never answers.
ANSWER_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A production-mode server on 127.0.0.1 (plain HTTP: no TLS redirect); yields its port."""
    data_dir = tmp_path_factory.mktemp("serve-limits")
    port = _free_port()
    log_path = data_dir / "server.log"
    env = child_env(data_dir, {"KETACLINIC_SSL_REDIRECT": "0"})
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ketaclinic", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(proc, port, log_path)
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _wait_for(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            raise RuntimeError("server exited:\n" + log_path.read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + log_path.read_text()) from None
            time.sleep(0.3)


def _head(path: str, length: int, content_type: str, *extra: str) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (it closes after a 413)."""
    sock.settimeout(ANSWER_TIMEOUT_S)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _status(data: bytes) -> int:
    return int(data.split(b" ", 2)[1])


def test_a_declared_20_mb_body_is_refused_before_it_is_sent(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        # Only the headers: the answer must come without a byte of the body.
        sock.sendall(_head("/accounts/login/", 20 * 1024 * 1024, "multipart/form-data; boundary=x"))
        answer = _response(sock)
    assert _status(answer) == 413, answer[:300]


def test_one_byte_over_the_largest_accepted_body_is_refused_unread(server: int) -> None:
    from ketaclinic.web.middleware import largest_body_bytes

    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(_head("/accounts/login/", largest_body_bytes() + 1, "multipart/form-data"))
        answer = _response(sock)
    assert _status(answer) == 413, answer[:300]


def test_the_largest_accepted_body_still_reaches_the_application(server: int) -> None:
    from django.conf import settings

    from ketaclinic.web.middleware import UPLOAD_VIEWS, largest_body_bytes

    largest = largest_body_bytes()
    assert largest == max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, *UPLOAD_VIEWS.values())
    # Not an upload page, so the application's own limit refuses it: after reading it in full.
    body = b"x" * largest
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(_head("/accounts/login/", len(body), "multipart/form-data; boundary=x") + body)
        answer = _response(sock)
    assert _status(answer) == 413
    assert b"Request too large." in answer  # the middleware's answer, not the server's
    assert b"exceeds max_body" not in answer
