"""Production settings: `check --deploy` is clean, and HTTPS-only headers and cookies are sent.

These run the real command line in a subprocess with the production profile, because the test
suite itself runs with plain-HTTP cookies.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from ketaclinic.lib.child import run_ketaclinic, run_python


def run_production(
    tmp_path: Path, *args: str, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    hosts = {"KETACLINIC_ALLOWED_HOSTS": "clinic.example.org"}
    if code is not None:
        return run_python(tmp_path, "-c", code, settings=hosts)
    return run_ketaclinic(tmp_path, *args, settings=hosts)


def test_it_passes_check_deploy_with_no_warnings(tmp_path: Path) -> None:
    result = run_production(tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_sends_hsts_secure_host_cookies_csp_and_no_store(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import os
        os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.settings"
        import django
        django.setup()
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.test import Client
        c = Client(HTTP_HOST="clinic.example.org")
        plain = c.get("/accounts/login/")
        print("REDIRECT", plain.status_code, plain.get("Location"))
        r = c.get("/accounts/login/", secure=True)
        print("STATUS", r.status_code)
        print("HSTS", r["Strict-Transport-Security"])
        print("CSP", r["Content-Security-Policy"])
        print("CACHE", r["Cache-Control"])
        for name, morsel in r.cookies.items():
            flags = bool(morsel["secure"]), bool(morsel["httponly"]), morsel["samesite"]
            print("COOKIE", name, *flags)
        """
    )
    result = run_production(tmp_path, code=code)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "REDIRECT 301 https://clinic.example.org/accounts/login/" in out
    assert "STATUS 200" in out
    assert "HSTS max-age=31536000; includeSubDomains; preload" in out
    assert "frame-ancestors 'none'" in out and "script-src 'self'" in out
    assert "CACHE no-store" in out
    assert "COOKIE __Host-ketaclinic-csrf True True Lax" in out


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_it_refuses_a_malformed_boolean_setting(tmp_path: Path, value: str) -> None:
    code = f"import os; os.environ['KETACLINIC_DEBUG']={value!r}; import ketaclinic.settings"
    result = run_production(tmp_path, code=code)
    assert result.returncode != 0
    assert "KETACLINIC_DEBUG must be 1/0/true/false" in result.stderr


def test_development_mode_runs_over_plain_http_with_debug_pages(tmp_path: Path) -> None:
    code = (
        "import os; os.environ['KETACLINIC_DEBUG'] = '1'; from ketaclinic import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT if hasattr(s, 'SECURE_SSL_REDIRECT') else False, "
        "s.SESSION_COOKIE_NAME)"
    )
    result = run_python(tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "ketaclinic-session"]


@pytest.mark.parametrize(
    ("settings", "backend"),
    [
        ({}, "ketaclinic.lib.mail.DayFolderEmailBackend"),
        (
            {"KETACLINIC_EMAIL_HOST": "smtp.example.org"},
            "django.core.mail.backends.smtp.EmailBackend",
        ),
    ],
)
def test_it_sends_mail_to_files_until_an_smtp_host_is_named(
    tmp_path: Path, settings: dict[str, str], backend: str
) -> None:
    code = "from ketaclinic import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)"
    result = run_python(tmp_path, "-c", code, settings=settings)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [backend, str(tmp_path.resolve() / "outbox")]
