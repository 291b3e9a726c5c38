"""Append-only audit tables, enforced by PostgreSQL rather than by the application's goodwill.

Every audit table (each pghistory event table, the unmasking and the export records) gets three
triggers: UPDATE is refused, TRUNCATE is refused, and DELETE is refused for a row younger than
the legal floor (MLPS 2.0 asks for at least six months), so the retention purge of old rows is
the only deletion left. The floor is written into the trigger, not read from the settings: a
misconfigured or compromised application cannot shorten it.

The triggers call one plain PL/pgSQL function, `audit_refuse_rewrite()` (audit migration 0001),
instead of the function pgtrigger writes for each trigger: pgtrigger's functions start by
honouring `pgtrigger.ignore`, a session setting any connection may set, which would let the
application switch the protection off. The database owner can still drop the triggers: the
application is meant to run as a role that owns nothing (docs/security.md, the GRANTs).
"""

import pgtrigger
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model

LEGAL_FLOOR_DAYS = 183
REFUSE_FUNCTION = "audit_refuse_rewrite"

# Superuser or not, the rows stay. The test suite, whose transactional tests empty every table
# and reload a serialized copy, installs its own version of the function in its own database
# (tests/conftest.py); the tests that prove the refusal take the deployment's role.
REFUSE_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {REFUSE_FUNCTION}() RETURNS TRIGGER AS $$
BEGIN
    RAISE EXCEPTION 'audit: % on % refused: the audit trail is append-only and kept % days',
        TG_OP, TG_TABLE_NAME, {LEGAL_FLOOR_DAYS}
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
# Version 2 (audit migration 0002), which carried a branch for test databases; kept for the
# history of migrations 0002 and 0003.
REFUSE_FUNCTION_V2_SQL = f"""
CREATE OR REPLACE FUNCTION {REFUSE_FUNCTION}() RETURNS TRIGGER AS $$
BEGIN
    IF current_database() LIKE 'test\\_%'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit: % on % refused: the audit trail is append-only and kept % days',
        TG_OP, TG_TABLE_NAME, {LEGAL_FLOOR_DAYS}
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
# Version 1 of the function (audit migration 0001), kept for that migration's history.
REFUSE_FUNCTION_V1_SQL = f"""
CREATE OR REPLACE FUNCTION {REFUSE_FUNCTION}() RETURNS TRIGGER AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit: % on % refused: the audit trail is append-only and kept % days',
        TG_OP, TG_TABLE_NAME, {LEGAL_FLOOR_DAYS}
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class _Refuse(pgtrigger.Trigger):
    """A trigger that runs `audit_refuse_rewrite()`, which pgtrigger.ignore cannot switch off."""

    func = "RETURN NULL;"  # pgtrigger's own function is created but the trigger does not call it

    def render_execute(self, model) -> str:
        return f"{REFUSE_FUNCTION}()"


def append_only_triggers(timestamp_column: str) -> list[pgtrigger.Trigger]:
    young = f"OLD.\"{timestamp_column}\" > NOW() - INTERVAL '{LEGAL_FLOOR_DAYS} days'"
    return [
        _Refuse(name="audit_no_update", when=pgtrigger.Before, operation=pgtrigger.Update),
        _Refuse(
            name="audit_no_truncate",
            when=pgtrigger.Before,
            operation=pgtrigger.Truncate,
            level=pgtrigger.Statement,
        ),
        _Refuse(
            name="audit_keep_young",
            when=pgtrigger.Before,
            operation=pgtrigger.Delete,
            condition=pgtrigger.Condition(young),
        ),
    ]


def audit_tables() -> dict[type[Model], str]:
    """Every audit model and the column that dates its rows."""
    from django.apps import apps
    from pghistory.models import Event

    tables: dict[type[Model], str] = {
        model: "pgh_created_at"
        for model in apps.get_models()
        if issubclass(model, Event) and not model._meta.proxy and model._meta.managed
    }
    tables[apps.get_model("households", "SensitiveAccess")] = "at"
    tables[apps.get_model("households", "IdNumberLookup")] = "at"
    tables[apps.get_model("audit", "ExportEvent")] = "at"
    return tables


def protect_audit_tables() -> None:
    """Register the triggers on every audit model: makemigrations writes them, migrate installs."""
    for model, column in audit_tables().items():
        names = {trigger.name for trigger in getattr(model._meta, "triggers", [])}
        triggers = [t for t in append_only_triggers(column) if t.name not in names]
        if triggers:
            pgtrigger.register(*triggers)(model)


# pghistory's context rows say who acted. pghistory itself updates a context's metadata while
# its request or task runs, so an update is refused only once the context is a day old, or when
# it would change the row's identity or date. Raw SQL (audit migration 0001): the table belongs
# to pghistory, whose migrations we do not write.
CONTEXT_TRIGGERS_SQL = f"""
DROP TRIGGER IF EXISTS audit_context_no_rewrite ON pghistory_context;
CREATE TRIGGER audit_context_no_rewrite BEFORE UPDATE ON pghistory_context FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.created_at IS DISTINCT FROM NEW.created_at
          OR OLD.updated_at < NOW() - INTERVAL '1 day')
    EXECUTE FUNCTION {REFUSE_FUNCTION}();
DROP TRIGGER IF EXISTS audit_context_keep_young ON pghistory_context;
CREATE TRIGGER audit_context_keep_young BEFORE DELETE ON pghistory_context FOR EACH ROW
    WHEN (OLD.created_at > NOW() - INTERVAL '{LEGAL_FLOOR_DAYS} days')
    EXECUTE FUNCTION {REFUSE_FUNCTION}();
DROP TRIGGER IF EXISTS audit_context_no_truncate ON pghistory_context;
CREATE TRIGGER audit_context_no_truncate BEFORE TRUNCATE ON pghistory_context
    FOR EACH STATEMENT EXECUTE FUNCTION {REFUSE_FUNCTION}();
"""
CONTEXT_TRIGGERS_REVERSE_SQL = """
DROP TRIGGER IF EXISTS audit_context_no_rewrite ON pghistory_context;
DROP TRIGGER IF EXISTS audit_context_keep_young ON pghistory_context;
DROP TRIGGER IF EXISTS audit_context_no_truncate ON pghistory_context;
"""


# pghistory's `_pgh_attach_context()`, which every history trigger calls once a row, reads its two
# session settings inside an EXCEPTION block: outside a `pghistory.context()` they are unset, the
# read raises, and a subtransaction rolls back for every row a statement writes (the cost
# config/settings.py avoids for `pgtrigger.ignore` with a session default; these two have no
# harmless default, since any value set is attached to every history row). This version reads
# them with `missing_ok` and returns before any EXCEPTION block when no context is set; a context
# set is cast inside one, as the library does, so that a value PostgreSQL refuses (a NUL in a
# request's path, in its JSON) still attaches none rather than failing the write. A block that
# raises nothing releases its subtransaction without the rollback's walk. The body is what
# `pg_proc.prosrc` holds, compared before it is installed again.
ATTACH_CONTEXT_BODY = """
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
"""
ATTACH_CONTEXT_SQL = (
    f"CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS UUID AS $${ATTACH_CONTEXT_BODY}$$"
    " LANGUAGE plpgsql;"
)
ATTACH_CONTEXT_MIGRATION = ("audit", "0006_attach_context_without_subtransactions")


def install_attach_context(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Put our `_pgh_attach_context()` back after a migrate (a post_migrate receiver) if anything
    replaced it: a later pghistory migration installs the library's own, as its 0004 and 0007 did.
    Only where the audit app migrates (never a replica), once audit 0006 is applied (migrating
    back before it keeps the library's), and without DDL when ours is in place (a `migrate` with
    nothing to do takes no lock on the function and needs no owner's rights)."""
    if not router.allow_migrate(using, "audit"):
        return
    connection = connections[using]
    if ATTACH_CONTEXT_MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosrc FROM pg_proc WHERE proname = '_pgh_attach_context'"
            " AND pronamespace = 'public'::regnamespace"
        )
        installed = cursor.fetchone()
        if installed is None or installed[0] != ATTACH_CONTEXT_BODY:
            cursor.execute(ATTACH_CONTEXT_SQL)
