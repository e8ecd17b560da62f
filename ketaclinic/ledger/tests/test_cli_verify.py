"""``ketaclinic ledger verify`` and ``ledger balance --json`` as real subprocesses on a
throwaway SQLite data directory: exit 0 on a sound ledger, 1 naming a forged row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ketaclinic.ledger.triggers import TRANSACTIONS
from ketaclinic.lib.child import run_ketaclinic, run_python

SEED = """
import datetime as dt, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
django.setup()
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.ledger.actions import setup, stock
clinic = Clinic.objects.create(name="CLI Clinic", slug="cli")
user = User.objects.create_user("custodian@cli.example", "x" * 16, full_name="Custodian")
by = Membership.objects.create(user=user, clinic=clinic, role=Role.CUSTODIAN)
reg = setup.create_registration(by, dea_number="FC0000001", registrant_name="CLI", address="A")
safe = setup.create_location(by, reg, name="Safe")
drug = setup.create_drug_item(by, name="Ketamine 50 mg/mL, 10 mL", substance="ketamine",
                              schedule="III", strength_mg_per_ml="50", container_volume_ml="10")
supplier = setup.create_supplier(by, name="S", address="B", dea_number="RS0000001")
stock.receive(by, drug=drug, supplier=supplier, lot_number="L1", expiry=dt.date(2031, 1, 1),
              invoice_number="I1", received_on=dt.date(2026, 11, 30), location=safe,
              labels=["K-1", "K-2"])
"""


def test_verify_passes_then_names_a_forged_row(tmp_path: Path) -> None:
    migrate = run_ketaclinic(tmp_path, "manage", "migrate", "--skip-checks", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    seed = run_python(tmp_path, "-c", SEED)
    assert seed.returncode == 0, seed.stderr

    clean = run_ketaclinic(tmp_path, "ledger", "verify")
    assert clean.returncode == 0, clean.stderr
    assert "ledger OK: 2 transactions verified, 2 container balances recomputed" in clean.stdout
    listed = run_ketaclinic(tmp_path, "ledger", "balance", "--json")
    assert listed.returncode == 0, listed.stderr
    # Two 10 mL vials of 50 mg/mL: 500 mg each, 1000 mg in the lot and the safe.
    data = json.loads(listed.stdout)
    assert [(c["label"], c["mg"]) for c in data["containers"]] == [
        ("K-1", "500.000"),
        ("K-2", "500.000"),
    ]
    assert (data["lots"][0]["mg"], data["locations"][0]["ml"]) == ("1000.000", "20.000")

    db = sqlite3.connect(tmp_path / "ketaclinic.sqlite3")
    try:
        (first_id,) = db.execute("SELECT min(id) FROM ledger_transaction").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE ledger_transaction SET quantity_mg = 5 WHERE id = ?", (first_id,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM ledger_transaction WHERE id = ?", (first_id,))
        for statement in TRANSACTIONS.sqlite_remove:
            db.execute(statement)
        db.execute("UPDATE ledger_transaction SET quantity_mg = 5 WHERE id = ?", (first_id,))
        for statement in TRANSACTIONS.sqlite_install:
            db.execute(statement)
        db.commit()
    finally:
        db.close()

    broken = run_ketaclinic(tmp_path, "ledger", "verify")
    assert broken.returncode == 1
    assert f"ledger BROKEN at entry #{first_id}: content does not match its hash" in broken.stderr


def test_a_bad_subcommand_prints_the_usage(tmp_path: Path) -> None:
    result = run_ketaclinic(tmp_path, "ledger", "check")
    assert result.returncode == 2
    assert "usage: ketaclinic ledger verify" in result.stderr
