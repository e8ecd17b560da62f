"""Mail to files until an SMTP server is named: one folder a day, private to the server."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend
from django.utils import timezone


class DayFolderEmailBackend(EmailBackend):
    """Django's file backend writing to ``EMAIL_FILE_PATH/YYYY-MM-DD/`` (the UTC date), so an
    outbox kept for months is not one folder of every message. Each connection writes one
    file of its own. Folders are made 0700 and files 0600 whatever the umask: messages
    carry names, emails and sign-in links."""

    # Set by Django's __init__; the stubs do not declare them.
    file_path: str
    _fname: str | None

    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        outbox = file_path if file_path is not None else getattr(settings, "EMAIL_FILE_PATH", None)
        if outbox:
            Path(outbox).mkdir(mode=0o700, parents=True, exist_ok=True)
        super().__init__(*args, file_path=file_path, **kwargs)

    def _get_filename(self) -> str:
        if self._fname is None:
            now = timezone.now()
            folder = Path(self.file_path) / f"{now:%Y-%m-%d}"
            folder.mkdir(mode=0o700, exist_ok=True)
            # A random part, not Django's id(self): a finished connection's id is reused, and
            # two connections in one second would then share a file.
            self._fname = str(folder / f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(6)}.log")
        return str(self._fname)

    def open(self) -> bool:
        if self.stream is None:
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
            self.stream = os.fdopen(os.open(self._get_filename(), flags, 0o600), "ab")
            return True
        return False
