"""The index of the reversed household number, for a search by the number's last digits
(households.selectors.number_search). Built concurrently, so the registry keeps being written
meanwhile.

Written as SQL: Django renders an operator class around an expression as `((REVERSE(number)
text_pattern_ops))`, which PostgreSQL refuses, unless django.contrib.postgres is installed (it
registers OpClass as an index wrapper); this project does not install it. The state is the
model's index."""

from django.contrib.postgres.indexes import OpClass
from django.db import migrations, models
from django.db.models.functions import Reverse


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0012_field_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "household_number_reversed" '
                    'ON "households_household" ((REVERSE("number")) text_pattern_ops);',
                    reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "household_number_reversed";',
                ),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="household",
                    index=models.Index(
                        OpClass(Reverse("number"), name="text_pattern_ops"),
                        name="household_number_reversed",
                    ),
                ),
            ],
        ),
    ]
