from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: built without blocking the register's writers. Should the build fail, it
    # leaves an invalid index behind: DROP INDEX CONCURRENTLY household_score, then migrate again.
    atomic = False

    dependencies = [
        ("households", "0019_household_village_unindexed"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(fields=["-risk_score", "id"], name="household_score"),
        ),
    ]
