"""Indexes the task list reads at a county's scale (bench/worklist.py): households by due visit
(with the id, for the merge of the kinds by due date), by village and due visit, and the id with
what a task row shows. Built concurrently, so the registry keeps being written meanwhile."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0010_one_active_membership"),
    ]

    operations = [
        RemoveIndexConcurrently(
            model_name="household",
            name="household_next_visit",
        ),
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(fields=["next_visit_due", "id"], name="household_next_visit"),
        ),
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(
                fields=["village", "next_visit_due"],
                name="household_village_visit_due",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ),
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(
                fields=["id"], include=("village", "number", "head_name"), name="household_id_village"
            ),
        ),
    ]
