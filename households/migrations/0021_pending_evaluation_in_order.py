from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CONCURRENTLY: rebuilt without blocking the register's writers. Should the build fail, it
    # leaves an invalid index behind: DROP INDEX CONCURRENTLY household_pending_evaluation, then
    # migrate again. Between the two steps the sweep sorts its claims, as it did before.
    atomic = False

    dependencies = [
        ("households", "0020_household_score"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="household", name="household_pending_evaluation"),
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(
                condition=models.Q(("evaluation_pending_since__isnull", False)),
                fields=["evaluation_pending_since", "id"],
                name="household_pending_evaluation",
            ),
        ),
    ]
