import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The tasks' single-column indexes of the event and the household go: the unique (event,
    household) and the (household, status) index lead with those columns and serve every
    lookup and the foreign keys' checks, and a county-wide listing writes a million tasks, each
    paying an entry in every index (docs/scaling.md)."""

    dependencies = [
        ("households", "0021_pending_evaluation_in_order"),
        ("monitoring", "0032_area_event_listing_lease"),
    ]

    operations = [
        # Dropping an index takes the table's lock for an instant, but waits for a listing that
        # holds it; failed after five seconds instead of queueing every reader behind it.
        migrations.RunSQL("SET LOCAL lock_timeout = '5s'", reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="screeningtask",
            name="event",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tasks",
                to="monitoring.areaevent",
                verbose_name="area event",
            ),
        ),
        migrations.AlterField(
            model_name="screeningtask",
            name="household",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="screening_tasks",
                to="households.household",
                verbose_name="household",
            ),
        ),
    ]
