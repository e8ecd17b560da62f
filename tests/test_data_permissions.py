"""The data directory and what ketaclinic writes in it are private to the server's user.

Run as a real ``ketaclinic`` subprocess on a fresh data directory, under the usual login umask
(022), which would otherwise make the directory 0755 and its files 0644: readable by every
local user, and the database holds patient data.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from ketaclinic.lib.child import PROJECT_ROOT, child_env

# Runs inside `ketaclinic manage shell`: write one of each kind of file, then report the modes
# while the database connection (and so its -wal and -shm files) is still open.
WRITE_AND_STAT = """
import json, os
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0)
send_mail("Subject", "Body", "from@example.org", ["to@example.org"])
default_storage.save("logos/logo.png", ContentFile(b"not really a png"))
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
base = settings.DATA_DIR
paths = [base, *sorted(base.rglob("*"))]
print(json.dumps({
    str(p.relative_to(base)): oct(os.stat(p).st_mode & 0o777)
    for p in paths
    if "static" not in p.relative_to(base).parts
}))
"""


def test_a_fresh_data_directory_and_its_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"  # does not exist yet: ketaclinic creates it
    result = subprocess.run(
        [sys.executable, "-m", "ketaclinic", "manage", "shell", "-c", WRITE_AND_STAT],
        cwd=PROJECT_ROOT,
        env=child_env(data_dir),
        capture_output=True,
        text=True,
        timeout=180,
        umask=0o022,
    )
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert modes["."] == "0o700"
    for name in ("ketaclinic.sqlite3", "ketaclinic.sqlite3-wal", "ketaclinic.sqlite3-shm"):
        assert modes[name] == "0o600", (name, modes)
    assert modes["secret_key"] == "0o600"
    directories = {name for name in modes if (data_dir / name).is_dir()}
    assert {".", "outbox", "media", "media/logos"} <= directories
    mails = [name for name in modes if name.startswith("outbox/") and name.endswith(".log")]
    assert len(mails) == 1, modes
    assert re.fullmatch(r"outbox/\d{4}-\d{2}-\d{2}/[^/]+\.log", mails[0]), mails  # a day's folder
    assert modes["media/logos/logo.png"] == "0o600"
    # Every directory 0700 and every file 0600, whatever else was written.
    assert {mode for name, mode in modes.items() if name in directories} == {"0o700"}, modes
    assert {mode for name, mode in modes.items() if name not in directories} == {"0o600"}, modes


def test_the_settings_alone_create_the_directory_private(tmp_path: Path) -> None:
    # Another WSGI server imports the settings without `ketaclinic`'s umask.
    data_dir = tmp_path / "by-settings"
    result = subprocess.run(
        [sys.executable, "-c", "import ketaclinic.settings"],
        cwd=PROJECT_ROOT,
        env=child_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        umask=0o022,
    )
    assert result.returncode == 0, result.stderr
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600
