"""A client error (4xx) logs one line; a server error (5xx) keeps its traceback."""

from __future__ import annotations

import io
import logging

from django.test import Client, override_settings
from django.urls import reverse

from ketaclinic.testing import BaseTestCase
from ketaclinic.web.tests.test_bad_requests import LATIN1

URLCONF = "ketaclinic.web.tests.test_bad_requests"  # the site plus a view that raises


@override_settings(ROOT_URLCONF=URLCONF)
class ErrorLoggingTests(BaseTestCase):
    def assert_one_line(self, output: list[str], records: list[logging.LogRecord]) -> None:
        self.assertEqual(len(records), 1, output)
        self.assertIsNone(records[0].exc_info)
        self.assertNotIn("Traceback", output[0])
        self.assertNotIn("\n", output[0])

    def test_a_bad_charset_logs_one_line(self) -> None:
        with self.assertLogs("django.request", "WARNING") as logs:
            response = self.client.post(
                reverse("accounts:login"), b"username=a%E9", content_type=LATIN1
            )
        self.assertEqual(response.status_code, 400)
        self.assert_one_line(logs.output, logs.records)
        self.assertIn("must be UTF-8 encoded", logs.output[0])

    def test_a_disallowed_host_logs_one_line(self) -> None:
        with self.assertLogs("django.security.DisallowedHost", "WARNING") as logs:
            response = self.client.get("/", HTTP_HOST="attacker.example")
        self.assertContains(response, "The page could not read what was sent", status_code=400)
        self.assert_one_line(logs.output, logs.records)
        self.assertIn("attacker.example", logs.output[0])

    def test_a_refused_page_logs_one_line(self) -> None:
        self.login("nurse")
        with self.assertLogs("django.request", "WARNING") as logs:
            response = self.client.get(reverse("audit:report"))
        self.assertEqual(response.status_code, 403)
        self.assert_one_line(logs.output, logs.records)

    def test_a_server_error_keeps_its_traceback(self) -> None:
        client = Client(raise_request_exception=False)
        with self.assertLogs("django.request", "ERROR") as logs:
            client.get("/broken/")
        self.assertEqual(len(logs.records), 1)
        self.assertIsNotNone(logs.records[0].exc_info)
        self.assertIn("Traceback", logs.output[0])
        self.assertIn("RuntimeError: a bug in a view", logs.output[0])

    def test_the_configured_handler_drops_a_client_errors_traceback_from_any_logger(
        self,
    ) -> None:
        # What reaches the log itself: the root handler LOGGING sets up, whichever logger
        # (a SuspiciousOperation subclass of a library has its own django.security.* name).
        [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
        assert isinstance(handler, logging.StreamHandler)
        assert handler.filters, "the console handler has no filter"
        # The same filters and format on a stream of our own (the test runner may have closed
        # the handler's own stderr by now).
        stream = io.StringIO()
        probe = logging.StreamHandler(stream)
        probe.setFormatter(handler.formatter)
        for configured in handler.filters:
            probe.addFilter(configured)
        logger = logging.getLogger("django.security.SomeLibrarysOwnError")
        logger.addHandler(probe)
        try:
            for status in (400, 500):
                try:
                    raise ValueError(f"status {status}")
                except ValueError:
                    logger.error("status %s", status, exc_info=True, extra={"status_code": status})
        finally:
            logger.removeHandler(probe)
        lines = stream.getvalue().splitlines()
        self.assertEqual(lines[0], "status 400")
        self.assertEqual(lines[1], "status 500")
        self.assertEqual(lines[2], "Traceback (most recent call last):")
        self.assertIn("ValueError: status 500", stream.getvalue())
