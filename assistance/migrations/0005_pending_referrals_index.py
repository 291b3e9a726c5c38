from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """The expiry sweep's index, built without blocking writes to the measures."""

    atomic = False

    dependencies = [
        ("assistance", "0004_referrals_and_needs"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="measure",
            index=models.Index(
                condition=models.Q(("referral_status", "pending")),
                fields=["referral_due"],
                name="pending_referrals",
            ),
        ),
    ]
