from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: built without blocking the scan's and the cadres' writes to the warnings.
    atomic = False

    dependencies = [
        ("monitoring", "0026_area_event_listing"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="alert",
            index=models.Index(
                fields=["-score", "opened_at", "id"],
                name="alert_active_order",
                condition=models.Q(status__in=["open", "assigned", "verifying", "confirmed"]),
            ),
        ),
    ]
