"""Make the ledger's transactions append-only at the database level (like audit 0002)."""

from django.db import migrations

from ketaclinic.ledger.triggers import TRANSACTIONS


def install_triggers(apps, schema_editor):
    TRANSACTIONS.install(schema_editor)


def remove_triggers(apps, schema_editor):
    TRANSACTIONS.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install_triggers, remove_triggers)]
