"""The unique key of a contact's client_uuid (0002 added the column): the index is built
concurrently, so a county's contact log keeps being written meanwhile, and then attached as the
constraint. A build that failed leaves an INVALID index, which is dropped first so that a rerun
builds it again."""

from django.db import migrations

DROP_INVALID = """
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid
        WHERE pg_class.relname = 'pairings_contact_client_uuid_key' AND NOT pg_index.indisvalid
    ) THEN
        DROP INDEX pairings_contact_client_uuid_key;
    END IF;
END $$;
"""
BUILD = (
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS pairings_contact_client_uuid_key "
    "ON pairings_contact (client_uuid)"
)
ATTACH = (
    "ALTER TABLE pairings_contact ADD CONSTRAINT pairings_contact_client_uuid_key "
    "UNIQUE USING INDEX pairings_contact_client_uuid_key"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("pairings", "0002_contact_client_uuid_pairing_version"),
    ]

    operations = [
        migrations.RunSQL(DROP_INVALID, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            BUILD, reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS pairings_contact_client_uuid_key"
        ),
        migrations.RunSQL(
            ATTACH,
            reverse_sql="ALTER TABLE pairings_contact "
            "DROP CONSTRAINT IF EXISTS pairings_contact_client_uuid_key",
        ),
    ]
