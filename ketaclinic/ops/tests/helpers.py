"""Helpers for the operations tests: a small clinic in a child process, the command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ketaclinic.lib.child import run_ketaclinic, run_python

SLUG = "backup-test"
ADMIN_EMAIL = "admin@backup-test.example"

# Migrates, then makes a clinic with a clinic admin, a logo file and ``argv[1]`` audit entries.
SETUP = f"""
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
django.setup()
from pathlib import Path
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
clinic = Clinic.objects.create(name="Backup Test Clinic", slug="{SLUG}")
admin = User.objects.create_user("{ADMIN_EMAIL}", full_name="Ada Admin")
Membership.objects.create(user=admin, clinic=clinic, role=Role.CLINIC_ADMIN)
logo = Path(settings.MEDIA_ROOT) / "clinic-logos" / "logo.png"
logo.parent.mkdir(parents=True, exist_ok=True)
logo.write_bytes(bytes(range(256)) * 40)
for n in range(int(sys.argv[1])):
    with transaction.atomic():
        record("view", after={{"n": n}})
"""


def leg() -> str:
    """The database this run of the suite is about: its own test database's kind."""
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def settings_for(database_url: str | None) -> dict[str, str]:
    return {"DATABASE_URL": database_url} if database_url else {}


def setup_clinic(data_dir: Path, database_url: str | None = None, entries: int = 3) -> None:
    result = run_python(data_dir, "-c", SETUP, str(entries), settings=settings_for(database_url))
    assert result.returncode == 0, result.stderr


def ketaclinic(
    data_dir: Path, *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_ketaclinic(data_dir, *args, settings=settings_for(database_url))


def only_backup(parent: Path) -> Path:
    (backup,) = [p for p in parent.iterdir() if p.name.startswith("ketaclinic-backup-")]
    return backup
