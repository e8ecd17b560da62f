"""The HTTP server behind ``ketaclinic serve``: waitress (one process) or gunicorn (N processes).

``serve`` has already migrated, collected static files and made its safety checks in this
process before anything here runs, so several workers never migrate at once: gunicorn forks
them from this process with the application already loaded.

Both servers keep the same production rules:

* they listen on the address ``serve`` chose (127.0.0.1 unless ``KETACLINIC_HOST`` says
  otherwise; always 127.0.0.1 in demo mode);
* only ``KETACLINIC_TRUSTED_PROXY`` (one IP address, never a wildcard) may set the client
  address (``X-Forwarded-For``) and the scheme (``X-Forwarded-Proto``); from anyone else those
  headers are dropped. Waitress does this itself; for gunicorn, ``forwarded_allow_ips`` is that
  one address (scheme) and :class:`TrustedProxy` rewrites ``REMOTE_ADDR``, as waitress would;
* request bodies are capped by the application itself (``web.middleware.request_size_limit``),
  which runs the same under either server.

Gunicorn does not run on Windows: there ``--workers`` above 1 is refused (see
:func:`workers_problem`), so that a clinic never runs one process believing it runs several.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Every header a proxy might use to speak for the client; the application reads none of them
# (it uses REMOTE_ADDR and wsgi.url_scheme), so none survives into it.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_BY",
    "HTTP_FORWARDED",
)
# Gunicorn kills a worker whose request runs longer than this (waitress has no such limit;
# its idle connections close after 120 s, so a request may take as long).
WORKER_TIMEOUT_S = 120


@dataclass(frozen=True)
class Options:
    host: str
    port: int
    threads: int
    workers: int
    trusted_proxy: str = ""  # "" trusts no proxy


def workers_problem(workers: int, platform: str = sys.platform) -> str | None:
    """Why ``--workers N`` cannot run here (None when it can)."""
    if workers < 1:
        return "--workers must be 1 or more"
    if workers > 1 and platform == "win32":
        return (
            "--workers above 1 needs gunicorn, which does not run on Windows; run one process "
            "(leave out --workers), or run the server on Linux or macOS"
        )
    return None


def trusted_proxy_problem(value: str) -> str | None:
    """KETACLINIC_TRUSTED_PROXY must be one IP address: a wildcard would let any client pick
    the address that rate limits, the lockout and the audit trail see."""
    if not value:
        return None
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return f"KETACLINIC_TRUSTED_PROXY must be the proxy's IP address, not {value!r}"
    return None


def run(application: WSGIApp, options: Options) -> None:
    """Serve until stopped (Ctrl+C, or SIGTERM from systemd)."""
    if options.workers == 1:
        _run_waitress(application, options)
    else:
        _run_gunicorn(application, options)


def _run_waitress(application: WSGIApp, options: Options) -> None:
    from waitress import serve

    proxy_options: dict[str, Any] = {}
    if options.trusted_proxy:
        # Only this proxy's X-Forwarded-For/-Proto are believed; waitress then sets
        # REMOTE_ADDR and the URL scheme, and strips those headers from anyone else.
        proxy_options = {
            "trusted_proxy": options.trusted_proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            "clear_untrusted_proxy_headers": True,
        }
    from ketaclinic.web.middleware import largest_body_bytes

    serve(
        application,
        host=options.host,
        port=options.port,
        threads=options.threads,
        ident="ketaclinic",
        # waitress reads a whole body before the application sees it, and refuses one whose
        # declared length is at least this (413) without reading it: one byte over the largest
        # body a page accepts (the pages' own limits then refuse what they would not take).
        max_request_body_size=largest_body_bytes() + 1,
        **proxy_options,
    )


def forwarded_client(value: str) -> str | None:
    """The client address in the last hop of ``X-Forwarded-For`` (the one our proxy added),
    in canonical spelling; None if it is not an address. Accepts ``a.b.c.d``, ``a.b.c.d:port``,
    a bare IPv6 address and ``[v6]`` or ``[v6]:port``."""
    hop = value.rsplit(",", 1)[-1].strip().strip('"')
    if hop.startswith("["):
        host = hop[1:].partition("]")[0]
    elif hop.count(":") == 1:
        host = hop.partition(":")[0]
    else:
        host = hop
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


class TrustedProxy:
    """For gunicorn, what waitress's ``trusted_proxy`` does: a request from the trusted proxy
    gets ``REMOTE_ADDR`` from its ``X-Forwarded-For``; every request loses the proxy headers.

    The scheme is gunicorn's own job (``forwarded_allow_ips`` + ``secure_scheme_headers``).
    """

    def __init__(self, app: WSGIApp, trusted_proxy: str) -> None:
        self.app = app
        self.trusted = str(ipaddress.ip_address(trusted_proxy)) if trusted_proxy else ""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if self.trusted and forwarded and _same_address(environ.get("REMOTE_ADDR"), self.trusted):
            client = forwarded_client(forwarded)
            if client is None:
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [b'Header "X-Forwarded-For" malformed.']
            environ["REMOTE_ADDR"] = client
            environ.pop("REMOTE_PORT", None)  # the proxy's port, not the client's
        for key in PROXY_HEADERS:
            environ.pop(key, None)
        return self.app(environ, start_response)


def _same_address(raw: str | None, address: str) -> bool:
    try:
        return str(ipaddress.ip_address(raw or "")) == address
    except ValueError:
        return False


def gunicorn_settings(options: Options) -> dict[str, Any]:
    """Gunicorn's configuration; nothing is read from gunicorn's own files or environment."""
    return {
        "bind": [_address(options.host, options.port)],
        "workers": options.workers,
        "worker_class": "gthread",
        "threads": options.threads,
        "preload_app": True,  # loaded (and migrated) once, in this process, before the fork
        "timeout": WORKER_TIMEOUT_S,
        "graceful_timeout": 30,
        "proc_name": "ketaclinic",
        # Exactly the trusted proxy (or nobody): never "*", and not gunicorn's default of
        # 127.0.0.1, which would let any local program claim HTTPS.
        "forwarded_allow_ips": options.trusted_proxy,
        "secure_scheme_headers": {"X-FORWARDED-PROTO": "https"},
        "forwarder_headers": "",  # no SCRIPT_NAME / PATH_INFO / REMOTE_USER from the proxy
        "accesslog": None,  # as with waitress: the audit trail records what matters
        "errorlog": "-",
        "loglevel": "info",
        # No runtime control socket (gunicorn >= 25.1 opens one in the home directory by
        # default): the server is managed by systemd and signals only.
        "control_socket_disable": True,
    }


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _run_gunicorn(application: WSGIApp, options: Options) -> None:
    from django.core.cache import caches
    from django.db import connections
    from gunicorn.app.base import BaseApplication
    from gunicorn.http import wsgi as gunicorn_wsgi

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_settings(options).items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return TrustedProxy(application, options.trusted_proxy)

    # The Server header names no server software, as with waitress's ident.
    gunicorn_wsgi.SERVER = "ketaclinic"
    # Workers are forked from this process: none may inherit its database connection (two
    # processes on one PostgreSQL socket corrupt each other) or a cache connection.
    connections.close_all()
    caches.close_all()
    master = os.getpid()
    try:
        Server().run()
    except BaseException as exc:
        if os.getpid() != master:
            # A worker leaves gunicorn by raising SystemExit, which would unwind through the
            # callers' frames: their clean-up belongs to the master and must not run again in
            # every worker. End the worker here instead.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(_exit_status(exc))
        raise


def _exit_status(exc: BaseException) -> int:
    if isinstance(exc, SystemExit):
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 1
