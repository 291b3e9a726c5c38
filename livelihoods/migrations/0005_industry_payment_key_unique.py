"""One payment a support and client key, the unique index built concurrently so that partners'
payments keep being recorded while it is made."""

from django.db import migrations, models

UNIQUE = (
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS one_industry_payment_per_key "
    "ON livelihoods_industrypayment (support_id, idempotency_key) WHERE NOT (idempotency_key = '')"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("livelihoods", "0004_industry_payment_key")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="industrypayment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("idempotency_key", ""), _negated=True),
                        fields=("support", "idempotency_key"),
                        name="one_industry_payment_per_key",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    UNIQUE,
                    reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS one_industry_payment_per_key",
                ),
            ],
        ),
    ]
