from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: built without blocking the scan's and the cadres' writes to the warnings.
    atomic = False

    dependencies = [
        ("monitoring", "0027_alert_active_order"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="alert",
            index=models.Index(
                fields=["village", "opened_at", "id"],
                name="alert_open_village",
                opclasses=["varchar_pattern_ops", "timestamptz_ops", "int8_ops"],
                include=["household", "level"],
                condition=models.Q(status="open"),
            ),
        ),
    ]
