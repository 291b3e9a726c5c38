import re

import django.core.validators
from django.db import migrations, models

CONSTRAINT = "region_code_digits"


class Migration(migrations.Migration):
    # Added NOT VALID (a catalogue change only); 0018 validates it, reading the regions without
    # keeping writers waiting.

    dependencies = [
        ("households", "0016_household_village_number"),
    ]

    operations = [
        # The form's rule as the database's: ASCII digits only (no SQL).
        migrations.AlterField(
            model_name="region",
            name="code",
            field=models.CharField(
                max_length=12,
                primary_key=True,
                serialize=False,
                validators=[
                    django.core.validators.RegexValidator(
                        re.compile("\\A[0-9]{12}\\Z"), "A region code has 12 digits."
                    )
                ],
                verbose_name="statistical division code",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="region",
                    constraint=models.CheckConstraint(
                        condition=models.Q(code__regex="^[0-9]{12}$"), name=CONSTRAINT
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=(
                        f'ALTER TABLE "households_region" ADD CONSTRAINT "{CONSTRAINT}" '
                        """CHECK ("code"::text ~ '^[0-9]{12}$') NOT VALID"""
                    ),
                    reverse_sql=f'ALTER TABLE "households_region" DROP CONSTRAINT "{CONSTRAINT}"',
                ),
            ],
        ),
    ]
