"""Email through Django's configured backend (SMTP or the file outbox of ``lib.mail``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage


def send_email(
    to: str | Sequence[str],
    subject: str,
    body: str,
    *,
    from_email: str | None = None,
    reply_to: Sequence[str] = (),
) -> int:
    """Send one plain-text email; returns the number sent (1), raises on a mail server error.

    Plain text only: whatever a person typed arrives as inert characters. The subject must not
    carry patient data or line breaks (subjects show in notifications); Django refuses the
    latter.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=list(reply_to) or None,
    )
    return message.send(fail_silently=False)
