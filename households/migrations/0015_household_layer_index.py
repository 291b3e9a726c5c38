from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: built without blocking writes to the register while it is read.
    atomic = False

    dependencies = [
        ("households", "0014_layer"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(
                condition=models.Q(("layer", "none"), _negated=True),
                fields=["layer", "village"],
                name="household_layer",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
