"""One person, one *active* membership: the ID number's hash is no longer unique across every row
(a person who moved out or died keeps their row, and history, in the household they left), only
among active members. Built concurrently, so a county's registry keeps being written while the
indexes are made; the old unique constraint goes only once the new index stands."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

ACTIVE_UNIQUE = (
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS one_active_membership_per_person "
    "ON households_member (id_number_hash) WHERE status = 'active'"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0009_life_event_doors"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="member",
            index=models.Index(fields=["id_number_hash"], name="member_id_number_hash"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="member",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "active")),
                        fields=("id_number_hash",),
                        name="one_active_membership_per_person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    ACTIVE_UNIQUE,
                    reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS one_active_membership_per_person",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="member",
                    name="id_number_hash",
                    field=models.CharField(editable=False, max_length=64),
                ),
            ],
            database_operations=[
                # The constraint PostgreSQL named for `unique=True` in 0001, and the LIKE index
                # Django added beside it, which no query uses.
                migrations.RunSQL(
                    "ALTER TABLE households_member "
                    "DROP CONSTRAINT IF EXISTS households_member_id_number_hash_key",
                    reverse_sql="ALTER TABLE households_member ADD CONSTRAINT "
                    "households_member_id_number_hash_key UNIQUE (id_number_hash)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS "
                    "households_member_id_number_hash_9c4e97e3_like",
                    reverse_sql=migrations.RunSQL.noop,
                ),
            ],
        ),
    ]
