"""The shared cache's table (what ``createcachetable`` would make), so ``migrate`` creates it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="CacheEntry",
            fields=[
                ("cache_key", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("value", models.TextField()),
                ("expires", models.DateTimeField(db_index=True)),
            ],
            options={
                "verbose_name": "cache entry",
                "verbose_name_plural": "cache entries",
                "db_table": "ketaclinic_cache",
            },
        ),
    ]
