from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

BATCH = 10_000


def fill_villages(apps, schema_editor):
    """Copy each warning's village from its household, BATCH ids at a time.

    The migration is not atomic, so each batch commits on its own: a batch locks at most BATCH
    warning rows, for the moment its UPDATE takes, and a scan or a cadre working on the queue
    waits for one batch at most, never for the whole table. Rows inserted meanwhile are filled
    by the trigger of 0004, which is in place before this runs.
    """
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM monitoring_alert")
        first, last = cursor.fetchone()
        if first is None:
            return
        for start in range(first, last + 1, BATCH):
            cursor.execute(
                """
                UPDATE monitoring_alert a SET village_id = h.village_id
                FROM households_household h
                WHERE h.id = a.household_id AND a.id >= %s AND a.id < %s
                  AND a.village_id IS DISTINCT FROM h.village_id
                """,
                [start, start + BATCH],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("monitoring", "0004_alert_village"),
    ]

    operations = [
        migrations.RunPython(fill_villages, migrations.RunPython.noop, elidable=True),
        # CONCURRENTLY: built without blocking writes to the warnings while it reads them.
        AddIndexConcurrently(
            model_name="alert",
            index=models.Index(
                condition=models.Q(status__in=["open", "assigned", "verifying", "confirmed"]),
                fields=["village"],
                name="alert_active_village",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
    ]
