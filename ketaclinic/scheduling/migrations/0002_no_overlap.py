"""No two booked rows overlap, for a chair or a patient: enforced by the database itself
(an exclusion constraint on PostgreSQL, triggers on SQLite; see ``scheduling.overlap``)."""

from django.db import migrations

from ketaclinic.scheduling import overlap


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(overlap.install, overlap.remove)]
