"""Logging filters (configured in ``settings.LOGGING``)."""

from __future__ import annotations

import logging
import re


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


# A secure link's path (``/i/<token>/`` the intake, ``/q/<token>/`` questionnaires;
# ``ketaclinic.securelinks``): the token opens a patient's forms, so no log line may carry it.
LINK_PATH = re.compile(r"/([iq])/[^/\s?#\"'<>]+")
LINK_PATH_REDACTED = r"/\1/[token]"


def scrub_secret_paths(text: str) -> str:
    """``text`` with every secure-link token replaced by ``[token]``."""
    return LINK_PATH.sub(LINK_PATH_REDACTED, text)


class ScrubSecretPaths(logging.Filter):
    """Replace secure-link tokens in a record's message (Django's "Not Found: /i/..." lines,
    runserver's request lines, waitress's "Exception while serving /i/...") and traceback
    text. The message is formatted here once, so tokens in ``args`` are caught too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the handler
            return True
        if LINK_PATH.search(message):
            record.msg = scrub_secret_paths(message)
            record.args = ()
        if record.exc_text and LINK_PATH.search(record.exc_text):
            record.exc_text = scrub_secret_paths(record.exc_text)
        return True
