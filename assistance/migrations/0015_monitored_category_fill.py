from django.db import migrations


def fill_categories(apps, schema_editor):
    """Each monitored household keeps its case's category (households 0014): one statement over
    the monitored households only, a few in a hundred."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE households_household h SET monitored_category = c.category
            FROM assistance_case c
            WHERE c.household_id = h.id AND h.is_monitored
              AND c.status IN ('enrolled', 'eliminating')
              AND h.monitored_category IS DISTINCT FROM c.category
            """
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0014_case_village_fill"),
        ("households", "0014_layer"),
    ]

    operations = [
        migrations.RunPython(fill_categories, migrations.RunPython.noop, elidable=True),
    ]
