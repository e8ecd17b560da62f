"""The task worker: ``ketaclinic worker`` on its own, or a child process of ``ketaclinic serve``.

Each tick it enqueues the daily and periodic tasks that are due (``queue.schedule_due``,
``queue.periodic_due``), then runs every
ready task of every queue with django-tasks-db's worker in batch mode, then sleeps. SIGTERM or
SIGINT stops it after the task in hand. Started by ``serve``, it also stops by itself when its
parent is gone (``PARENT_ENV`` names the parent; checked each tick), so a killed server never
leaves a worker behind.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from django.db import DatabaseError, close_old_connections

logger = logging.getLogger(__name__)

PARENT_ENV = "KETACLINIC_WORKER_PARENT_PID"
STOP_GRACE_S = 30.0
ERROR_BACKOFF_TICKS = 5


def database_backend_problem() -> str:
    """Why the default task backend cannot be worked by this worker ("" when it can)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        return ""
    return f"the default task backend is {type(backend).__name__}, not the database backend"


def run(interval_s: float = 1.0, once: bool = False) -> int:
    """Work the queue until stopped (``once``: one tick, then return)."""
    from django_tasks_db.management.commands.db_worker import Worker

    from ketaclinic.ops.queue import periodic_due, schedule_due

    stop = threading.Event()
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"{socket.gethostname()[:40]}-{os.getpid()}",
        excluded_queue_names=[],
    )

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()
        worker.running = False  # the batch loop ends after the task in hand

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    parent = os.environ.get(PARENT_ENV, "")
    while not stop.is_set():
        wait_s = interval_s
        try:
            schedule_due()
            periodic_due()
            worker.run()
        except DatabaseError:
            # A database that is down or locked for long must not end the worker.
            logger.exception("Task worker: database error; retrying")
            close_old_connections()
            wait_s = interval_s * ERROR_BACKOFF_TICKS
        if once or (parent and os.getppid() != int(parent)):
            break
        stop.wait(wait_s)
    return 0


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _watch(child: subprocess.Popen[bytes], stopping: threading.Event) -> None:
    code = child.wait()
    if not stopping.is_set() and code != 0:  # 0: it was asked to stop (Ctrl+C reaches both)
        print(f"ketaclinic serve: the task worker stopped (exit {code})", file=sys.stderr)


@contextmanager
def beside_server(enabled: bool = True) -> Iterator[subprocess.Popen[bytes] | None]:
    """Run a worker child process while the body (the web server) runs; stop it afterwards.

    SIGTERM to the server becomes ``SystemExit`` (waitress shuts down cleanly on it), so the
    server exits cleanly and the worker is stopped whether the server ends by Ctrl+C, SIGTERM or
    returning. With ``enabled`` False only the SIGTERM handling applies.
    """
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_exit) if in_main else None
    child: subprocess.Popen[bytes] | None = None
    stopping = threading.Event()
    try:
        if enabled:
            env = {**os.environ, PARENT_ENV: str(os.getpid())}
            child = subprocess.Popen([sys.executable, "-m", "ketaclinic", "worker"], env=env)
            threading.Thread(target=_watch, args=(child, stopping), daemon=True).start()
            print(f"task worker started (pid {child.pid})", flush=True)
        yield child
    finally:
        stopping.set()
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        if child is not None:
            stop_child(child)


def stop_child(child: subprocess.Popen[bytes], grace_s: float = STOP_GRACE_S) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
