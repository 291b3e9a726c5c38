from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

# Built CONCURRENTLY, outside a transaction: the notifications table is written all day, and a
# plain CREATE INDEX would block those writes while it reads every row.
SENT_ONCE = (
    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "notification_sent_once" '
    "ON \"monitoring_notification\" (\"user_id\", \"dedupe_key\") WHERE NOT (\"dedupe_key\" = '')"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("monitoring", "0010_notification_channels"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("channels_pending", True)),
                fields=["created_at"],
                name="notification_channels_pending",
            ),
        ),
        # A partial unique constraint is a unique index in PostgreSQL: the index is built
        # concurrently, and Django's state learns of the constraint.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    SENT_ONCE,
                    reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "notification_sent_once"',
                )
            ],
            state_operations=[
                migrations.AddConstraint(
                    model_name="notification",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("dedupe_key", ""), _negated=True),
                        fields=("user", "dedupe_key"),
                        name="notification_sent_once",
                    ),
                )
            ],
        ),
    ]
