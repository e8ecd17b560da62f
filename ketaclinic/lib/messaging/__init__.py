"""Sending messages to people: email through Django's mail, text messages through a backend
chosen by setting. Callers (intake links, questionnaire links, reminders) use only
:func:`send_email` and :func:`send_sms`; which server or provider carries them is the
operator's choice.

* Email goes through ``settings.EMAIL_BACKEND``: SMTP when ``KETACLINIC_EMAIL_HOST`` is set,
  else the per-day file outbox (``ketaclinic.lib.mail.DayFolderEmailBackend``).
* Text messages go through ``settings.SMS_BACKEND`` (``KETACLINIC_SMS_BACKEND``, a dotted path
  to a :class:`~ketaclinic.lib.messaging.sms.SmsBackend` subclass): the file outbox by default,
  the console, or a provider class an operator writes or configures (``sms.HttpSmsBackend``).

Phone numbers are E.164 (``+14155550123``); :func:`phones.to_e164` makes one from what a
person typed.
"""

from __future__ import annotations

from ketaclinic.lib.messaging.email import send_email
from ketaclinic.lib.messaging.phones import InvalidPhoneNumber, to_e164
from ketaclinic.lib.messaging.sms import SmsMessage, get_sms_backend, send_sms

__all__ = [
    "InvalidPhoneNumber",
    "SmsMessage",
    "get_sms_backend",
    "send_email",
    "send_sms",
    "to_e164",
]
