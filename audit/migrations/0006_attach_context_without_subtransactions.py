from django.db import migrations

from audit.triggers import ATTACH_CONTEXT_SQL


def ours(apps, schema_editor):
    schema_editor.execute(ATTACH_CONTEXT_SQL)


def the_library_s(apps, schema_editor):
    from pghistory.models import Context

    Context.install_pgh_attach_context_func(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """pghistory's context function without its EXCEPTION block (audit/triggers.py); put back
    after every later migrate too (audit/apps.py)."""

    dependencies = [
        ("audit", "0005_field_names"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunPython(ours, reverse_code=the_library_s)]
