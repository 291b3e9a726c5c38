from django.db import migrations

from audit import triggers


class Migration(migrations.Migration):
    """Django's test databases let a superuser empty and reload the audit tables between
    transactional tests (audit/triggers.py); everywhere else nothing changes."""

    dependencies = [("audit", "0001_export_events_append_only")]

    operations = [
        migrations.RunSQL(triggers.REFUSE_FUNCTION_V2_SQL, triggers.REFUSE_FUNCTION_V1_SQL),
    ]
