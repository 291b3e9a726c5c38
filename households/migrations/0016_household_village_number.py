from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: built without blocking writes to the register while it is read.
    atomic = False

    dependencies = [
        ("households", "0015_household_layer_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(fields=["village", "number", "id"], name="household_village_number"),
        ),
    ]
