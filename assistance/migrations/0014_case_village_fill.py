from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

BATCH = 10_000


def fill_villages(apps, schema_editor):
    """Copy each case's village from its household, BATCH ids at a time.

    The migration is not atomic, so each batch commits on its own and locks at most BATCH case
    rows for the moment its UPDATE takes. Cases inserted meanwhile are filled by the trigger of
    0013, which is in place before this runs.
    """
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM assistance_case")
        first, last = cursor.fetchone()
        if first is None:
            return
        for start in range(first, last + 1, BATCH):
            cursor.execute(
                """
                UPDATE assistance_case c SET village_id = h.village_id
                FROM households_household h
                WHERE h.id = c.household_id AND c.id >= %s AND c.id < %s
                  AND c.village_id IS DISTINCT FROM h.village_id
                """,
                [start, start + BATCH],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assistance", "0013_case_village"),
    ]

    operations = [
        migrations.RunPython(fill_villages, migrations.RunPython.noop, elidable=True),
        # CONCURRENTLY: built without blocking writes to the cases and steps while they are read.
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                fields=["village"], name="case_village", opclasses=["varchar_pattern_ops"]
            ),
        ),
        AddIndexConcurrently(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("decision", "")),
                fields=["kind", "due_on"],
                include=["case", "position", "phase", "round"],
                name="pending_steps_by_kind",
            ),
        ),
        AddIndexConcurrently(
            model_name="casestep",
            index=models.Index(
                condition=models.Q(("decision", "")),
                fields=["case", "position"],
                include=["phase", "round"],
                name="pending_steps_of_case",
            ),
        ),
    ]
