from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: built without blocking the scans and the queue that write warnings.
    atomic = False

    dependencies = [
        ("monitoring", "0024_capacity_without_health"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="alert",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "assigned", "verifying", "confirmed"])),
                fields=["village", "id"],
                name="alert_active_village_id",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ),
    ]
