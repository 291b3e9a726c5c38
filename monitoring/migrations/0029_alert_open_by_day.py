from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.models.functions import TruncDate


class Migration(migrations.Migration):
    # CONCURRENTLY: built without blocking the scan's and the cadres' writes to the warnings.
    atomic = False

    dependencies = [
        ("monitoring", "0028_alert_open_village"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="alert",
            index=models.Index(
                TruncDate("opened_at"),
                models.F("id"),
                condition=models.Q(status="open"),
                include=("village", "household", "level"),
                name="alert_open_by_day",
            ),
        ),
    ]
