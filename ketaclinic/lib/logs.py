"""Logging filters (configured in ``settings.LOGGING``)."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx response is the client's mistake (a bad charset, a disallowed host, a refused page):
    log its one line, not the traceback Django attaches (about 2 KB each, and anyone can send
    them). 5xx records keep theirs: those are ours to fix."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
