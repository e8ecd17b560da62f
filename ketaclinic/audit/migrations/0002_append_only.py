"""Make the audit table append-only at the database level, and create the chain head row."""

from django.db import migrations

from ketaclinic.audit import triggers

GENESIS_HASH = "0" * 64


def install_triggers(apps, schema_editor):
    triggers.install(schema_editor)


def remove_triggers(apps, schema_editor):
    triggers.remove(schema_editor)


def create_chain_head(apps, schema_editor):
    # Created here so the first two concurrent writers never race to insert it.
    head_model = apps.get_model("audit", "AuditChainHead")
    head_model.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH}
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(install_triggers, remove_triggers),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
