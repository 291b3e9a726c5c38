from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY, the new index first: the lists are never without one that orders by score.
    atomic = False

    dependencies = [
        ("households", "0019_household_village_unindexed"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(fields=["-risk_score", "id"], name="household_score"),
        ),
        RemoveIndexConcurrently(model_name="household", name="household_risk_score"),
    ]
