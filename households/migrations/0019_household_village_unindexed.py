import django.db.models.deletion
from django.db import migrations, models

# The two indexes Django made for the foreign key (its plain one and its text-pattern one); the
# names are Django's, made from the table and the column. No IF EXISTS: a database whose indexes
# are named otherwise fails here rather than keeping them under a state that says they are gone.
PLAIN = "households_household_village_id_c6dbbc5a"
PATTERN = "households_household_village_id_c6dbbc5a_like"


class Migration(migrations.Migration):
    # CONCURRENTLY: dropped without blocking the register's readers and writers.
    atomic = False

    dependencies = [
        ("households", "0018_region_code_digits_validated"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="household",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        limit_choices_to={"level": "village"},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="households",
                        to="households.region",
                        verbose_name="village",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY {PLAIN}",
                    f'CREATE INDEX CONCURRENTLY {PLAIN} ON households_household '
                    f"(village_id)",
                ),
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY {PATTERN}",
                    f"CREATE INDEX CONCURRENTLY {PATTERN} ON households_household "
                    f"(village_id varchar_pattern_ops)",
                ),
            ],
        ),
    ]
