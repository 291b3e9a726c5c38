from django.db import migrations

BATCH = 10_000


def judge_again(apps, schema_editor):
    """Every household is judged by the next nightly scan (a recheck day of NULL reads as never
    judged), which gives it its layer (households 0014) from the standards and its members.

    BATCH ids at a time, each batch committed on its own (the migration is not atomic), so that
    no statement locks more than BATCH household rows for the moment its UPDATE takes."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM households_household")
        first, last = cursor.fetchone()
        if first is None:
            return
        for start in range(first, last + 1, BATCH):
            cursor.execute(
                "UPDATE households_household SET recheck_on = NULL "
                "WHERE id >= %s AND id < %s AND recheck_on IS NOT NULL",
                [start, start + BATCH],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0014_layer"),
        ("monitoring", "0017_assistance_standard"),
    ]

    operations = [
        migrations.RunPython(judge_again, migrations.RunPython.noop, elidable=True),
    ]
