from django.db import migrations

# A copy, as it stood when this migration was written (audit/triggers.py has the live one and
# says why): a migration must do tomorrow what it did today.
ATTACH_CONTEXT_V1_SQL = """
CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS UUID AS $$
DECLARE
    _id TEXT := NULLIF(current_setting('pghistory.context_id', true), '');
    _metadata TEXT := NULLIF(current_setting('pghistory.context_metadata', true), '');
    _pgh_context_id UUID;
    _pgh_context_metadata JSONB;
BEGIN
    IF _id IS NULL OR _metadata IS NULL THEN
        RETURN NULL;
    END IF;
    BEGIN
        _pgh_context_id := _id::uuid;
        _pgh_context_metadata := _metadata::jsonb;
    EXCEPTION WHEN OTHERS THEN
        RETURN NULL;
    END;
    INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
        ON CONFLICT (id) DO UPDATE
            SET metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
            WHERE pghistory_context.metadata != EXCLUDED.metadata;
    RETURN _pgh_context_id;
END;
$$ LANGUAGE plpgsql;
"""


def ours(apps, schema_editor):
    schema_editor.execute(ATTACH_CONTEXT_V1_SQL)


def the_library_s(apps, schema_editor):
    from pghistory.models import Context

    Context.install_pgh_attach_context_func(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """pghistory's context function without a subtransaction a row outside a context
    (audit/triggers.py); put back after a later migrate replaced it (audit/apps.py)."""

    dependencies = [
        ("audit", "0005_field_names"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunPython(ours, reverse_code=the_library_s)]
