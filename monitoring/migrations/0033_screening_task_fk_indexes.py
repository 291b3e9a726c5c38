import django.db.models.deletion
from django.db import migrations, models

# The indexes Django made for the two foreign keys; the names are Django's, made from the table
# and the column. No IF EXISTS: a database whose indexes are named otherwise fails here rather
# than keeping them under a state that says they are gone. Dropped by name rather than by
# AlterField, which would drop and add the foreign keys again and check every task against the
# events and the households, holding both tables meanwhile.
EVENT = "monitoring_screeningtask_event_id_ec87fd97"
HOUSEHOLD = "monitoring_screeningtask_household_id_ce905261"


class Migration(migrations.Migration):
    """The tasks' single-column indexes of the event and the household go: the unique (event,
    household) and the (household, status) index lead with those columns and serve every
    lookup and the foreign keys' checks, and a county-wide listing writes a million tasks, each
    paying an entry in every index (docs/scaling.md)."""

    # CONCURRENTLY: dropped without blocking a listing or a screening.
    atomic = False

    dependencies = [
        ("households", "0021_pending_evaluation_in_order"),
        ("monitoring", "0032_area_event_listing_lease"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY {EVENT}",
                    f"CREATE INDEX CONCURRENTLY {EVENT} ON monitoring_screeningtask (event_id)",
                ),
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY {HOUSEHOLD}",
                    f"CREATE INDEX CONCURRENTLY {HOUSEHOLD} ON monitoring_screeningtask "
                    "(household_id)",
                ),
            ],
        ),
    ]
