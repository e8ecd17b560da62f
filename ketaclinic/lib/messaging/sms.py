"""Text messages through a backend class chosen by ``settings.SMS_BACKEND``.

Backends shipped here need no provider account:

* :class:`FileSmsBackend` (the default) writes each message to its own file in the outbox
  beside the email outbox (``SMS_FILE_PATH``, by default ``DATA_DIR/outbox``), in a folder a
  day, private to the server, as ``lib.mail`` does for email;
* :class:`ConsoleSmsBackend` prints each message to standard output (development);
* :class:`LocmemSmsBackend` keeps them in :data:`outbox` (the test settings use it).

A provider is a subclass of :class:`SmsBackend` that implements ``deliver``; an operator names
it in ``KETACLINIC_SMS_BACKEND``. :class:`HttpSmsBackend` is a generic one that posts JSON to a
provider's or a relay's HTTPS address; no provider SDK is a dependency of ketaclinic.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ketaclinic.lib.messaging.phones import InvalidPhoneNumber, is_e164


@dataclass(frozen=True)
class SmsMessage:
    """One text message: ``to`` in E.164, ``body`` plain text."""

    to: str
    body: str
    sender: str = ""


class SmsBackend:
    """The base of every text-message backend.

    Subclasses implement :meth:`deliver`, which hands one message to the carrier and returns
    the provider's id for it (or "" if it gives none), raising on failure so the caller (or its
    task queue) can retry. :meth:`send` checks the number is E.164 first, so no backend ever
    sees a malformed one. A backend is made once per send with no arguments; read its
    configuration from settings in ``__init__``.
    """

    def send(self, message: SmsMessage) -> str:
        if not is_e164(message.to):
            raise InvalidPhoneNumber(f"not an E.164 phone number: {message.to!r}")
        return self.deliver(message)

    def deliver(self, message: SmsMessage) -> str:
        raise NotImplementedError


def _render(message: SmsMessage, when: str) -> str:
    return f"To: {message.to}\nFrom: {message.sender}\nDate: {when}\n\n{message.body}\n"


class FileSmsBackend(SmsBackend):
    """One file per message in ``SMS_FILE_PATH/YYYY-MM-DD/`` (UTC date), named
    ``<time>-<random>.sms``; folders 0700 and files 0600 (messages carry links to records)."""

    def __init__(self) -> None:
        self.file_path = Path(
            getattr(settings, "SMS_FILE_PATH", "") or Path(settings.DATA_DIR) / "outbox"
        )

    def deliver(self, message: SmsMessage) -> str:
        now = timezone.now()
        folder = self.file_path / f"{now:%Y-%m-%d}"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(6)}.sms"
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(_render(message, now.isoformat()))
        return name


class ConsoleSmsBackend(SmsBackend):
    """Prints each message to standard output, for development."""

    def deliver(self, message: SmsMessage) -> str:
        sys.stdout.write(_render(message, timezone.now().isoformat()) + "-" * 40 + "\n")
        sys.stdout.flush()
        return ""


#: Messages sent through :class:`LocmemSmsBackend`, oldest first (tests empty it).
outbox: list[SmsMessage] = []


class LocmemSmsBackend(SmsBackend):
    """Keeps messages in :data:`outbox`, like Django's ``locmem`` email backend."""

    def deliver(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"locmem-{len(outbox)}"


class HttpSmsBackend(SmsBackend):
    """Posts ``{"to": ..., "from": ..., "body": ...}`` as JSON to ``SMS_HTTP_URL`` with
    ``Authorization: Bearer SMS_HTTP_TOKEN``; the response's JSON ``id`` is the message id.

    For a provider with another shape, subclass and override :meth:`payload` and
    :meth:`message_id`, or subclass :class:`SmsBackend` directly. Only HTTPS addresses are
    accepted: the body carries a link to a patient's record.
    """

    timeout_s: ClassVar[float] = 10.0

    def __init__(self) -> None:
        self.url = str(getattr(settings, "SMS_HTTP_URL", ""))
        self.token = str(getattr(settings, "SMS_HTTP_TOKEN", ""))
        if not self.url.startswith("https://"):
            raise ValueError("SMS_HTTP_URL must be an https:// address")

    def payload(self, message: SmsMessage) -> dict[str, str]:
        return {"to": message.to, "from": message.sender, "body": message.body}

    def message_id(self, answer: bytes) -> str:
        try:
            return str(json.loads(answer or b"{}").get("id", ""))
        except (ValueError, AttributeError):
            return ""

    def deliver(self, message: SmsMessage) -> str:
        request = urllib.request.Request(  # noqa: S310 (https only, checked in __init__)
            self.url,
            data=json.dumps(self.payload(message)).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
            return self.message_id(answer.read())


def get_sms_backend() -> SmsBackend:
    """A new instance of the backend ``settings.SMS_BACKEND`` names."""
    path = getattr(settings, "SMS_BACKEND", "ketaclinic.lib.messaging.sms.FileSmsBackend")
    backend_class = import_string(path)
    if not (isinstance(backend_class, type) and issubclass(backend_class, SmsBackend)):
        raise TypeError(f"SMS_BACKEND {path!r} is not an SmsBackend subclass")
    return backend_class()


def send_sms(to: str, body: str, *, sender: str = "") -> str:
    """Send one text message to ``to`` (E.164); returns the backend's id for it."""
    return get_sms_backend().send(
        SmsMessage(to=to, body=body, sender=sender or getattr(settings, "SMS_SENDER", ""))
    )
