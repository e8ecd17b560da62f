"""Settings for the test suite: the production profile with plain-HTTP cookies."""

import os
import tempfile

os.environ["KETACLINIC_MODE"] = "test"
os.environ.setdefault(
    "KETACLINIC_DATA_DIR", os.path.join(tempfile.gettempdir(), "ketaclinic-test-data")
)

from ketaclinic.settings import *  # noqa: E402,F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AUDIT_STRICT_ACTIONS = True  # an unregistered audit action name fails the test
# Tasks run at once in the test's own thread; the database backend and its worker are tested
# through real subprocesses (ketaclinic/ops/tests).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Each test starts from empty counters (conftest clears the cache before every test, including
# tests without database access), so the suite counts in process memory. The shared caches
# that `serve` uses are tested with real server processes in tests/test_shared_limits.py.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Text messages kept in memory (ketaclinic.lib.messaging.sms.outbox), as email in mail.outbox.
SMS_BACKEND = "ketaclinic.lib.messaging.sms.LocmemSmsBackend"
