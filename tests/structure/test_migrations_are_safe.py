"""Migrations that are safe on a large table: each one's SQL, as `sqlmigrate` renders it, through
squawk (squawk-cli, the linter for PostgreSQL migrations).

A statement on a table that the same migration creates is left alone: the table is empty while
the migration runs, so no lock on it keeps anyone waiting (squawk itself lets an index on such a
table pass, but not a NOT NULL column added after the CREATE TABLE, which is how Django writes a
foreign key of a new model). Migrations that already ran everywhere are listed in BASELINE with
the reason they were acceptable then; a new migration is checked in full.
"""

import importlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader

from tests.conftest import committed_db

# Not inside a test's transaction: a non-atomic migration (an index built concurrently) refuses
# to render inside one. Rendering writes nothing.
pytestmark = committed_db

SQUAWK = Path(sys.executable).parent / "squawk"

# Rules about column types and statement style, not about locks: they would flag every table.
# require-lock-timeout and require-statement-timeout ask for a SET in each file; a timeout set
# by the migration run is what would answer them (see the note in the report), not the SQL.
STYLE_RULES = [
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-text-field",
    "prefer-timestamptz",
    "prefer-robust-stmts",
    "require-lock-timeout",
    "require-statement-timeout",
]

# (app, migration, rule): why it was acceptable when it ran. Never add a new migration here:
# write it the safe way (AddIndexConcurrently in a non-atomic migration, a nullable column or a
# default, a constraint NOT VALID then validated).
BASELINE = {
    ("accounts", "0002_initial", "adding-foreign-key-constraint"): (
        "the user table's region, added before the first deployment (a few hundred users)"
    ),
    ("accounts", "0002_initial", "require-concurrent-index-creation"): (
        "the index of that region column, on the same few hundred users, before deployment"
    ),
    ("accounts", "0003_user_partner", "adding-foreign-key-constraint"): (
        "the user table's partner, added on a table of a few hundred rows"
    ),
    ("accounts", "0003_user_partner", "require-concurrent-index-creation"): (
        "the index of that partner column, same small table"
    ),
    ("households", "0002_cached_facts", "ban-drop-column"): (
        "columns of the household history (event) table dropped before any county ran it"
    ),
    ("households", "0002_cached_facts", "require-concurrent-index-creation"): (
        "household_recheck, built before any county's registry was loaded"
    ),
}

# (app, migration, rule): a guarantee a migration removes on purpose, not a lock it takes. squawk's
# ban-drop-constraint warns that clients may rely on a constraint; these are the ones the registry
# decided to give up, each replaced by the rule written beside it. Dropping a constraint takes an
# ACCESS EXCLUSIVE lock for a catalog change only, without scanning the table.
INTENDED = {
    ("households", "0010_one_active_membership", "ban-drop-constraint"): (
        "a person's ID number is unique among active members only (one_active_membership_per_"
        "person, built concurrently first): the rows of a member who moved out or died stay"
    ),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    statement: str


def squawk(sql: str, directory: Path, name: str) -> list[Finding]:
    """squawk's findings on `sql`, without those on tables the same SQL creates."""
    path = directory / f"{name}.sql"
    path.write_text(sql)
    completed = subprocess.run(
        [str(SQUAWK), "--reporter=json", "--pg-version=15", f"--exclude={','.join(STYLE_RULES)}"]
        + [str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode in (0, 1), completed.stderr
    lines = sql.split("\n")
    created = set(re.findall(r'CREATE TABLE "(\w+)"', sql))
    findings = []
    for found in json.loads(completed.stdout or "[]"):
        statement = lines[found["line"]] if found["line"] < len(lines) else ""
        table = re.search(r'(?:ALTER TABLE|\bON)\s+"(\w+)"', statement)
        if table and table.group(1) in created:
            continue  # an empty table: no lock keeps anyone waiting
        findings.append(Finding(found["rule_name"], statement.strip()))
    return findings


def render(migration, loader: MigrationLoader, state=None) -> str:
    """The SQL `sqlmigrate` prints: the statements, in BEGIN/COMMIT when the migration is atomic."""
    if state is None:
        state = loader.project_state((migration.app_label, migration.name), at_end=False)
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        migration.apply(state, editor, collect_sql=True)
    body = "\n".join(editor.collected_sql)
    return f"BEGIN;\n{body}\nCOMMIT;\n" if migration.atomic else body


def project_migrations(loader: MigrationLoader) -> list:
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for key in sorted(loader.graph.nodes):
        migration = loader.graph.nodes[key]
        source = Path(importlib.import_module(migration.__module__).__file__).resolve()
        if source.is_relative_to(base) and ".venv" not in source.parts:
            found.append(migration)
    return found


def test_every_migration_is_safe_on_a_large_table(tmp_path):
    loader = MigrationLoader(connection)
    unsafe, seen = [], set()
    for migration in project_migrations(loader):
        sql = render(migration, loader)
        for finding in squawk(sql, tmp_path, f"{migration.app_label}_{migration.name}"):
            key = (migration.app_label, migration.name, finding.rule)
            seen.add(key)
            if key not in BASELINE and key not in INTENDED:
                unsafe.append(f"{key}: {finding.statement[:160]}")
    assert not unsafe, "Unsafe on a large table:\n" + "\n".join(unsafe)
    assert set(BASELINE) | set(INTENDED) <= seen, (
        f"Baseline entries squawk no longer reports: {(set(BASELINE) | set(INTENDED)) - seen}"
    )


def a_new_migration(*operations) -> tuple[migrations.Migration, MigrationLoader]:
    loader = MigrationLoader(connection)
    (leaf,) = loader.graph.leaf_nodes("households")
    migration = migrations.Migration("9999_unsafe", "households")
    migration.dependencies = [leaf]
    migration.operations = list(operations)
    return migration, loader


def rules_reported(migration, loader, tmp_path) -> set[str]:
    state = loader.project_state(migration.dependencies[0], at_end=True)
    return {finding.rule for finding in squawk(render(migration, loader, state), tmp_path, "new")}


def test_an_index_built_without_concurrently_on_households_is_reported(tmp_path):
    migration, loader = a_new_migration(
        migrations.AddIndex("household", models.Index(fields=["address"], name="household_addr"))
    )
    assert "require-concurrent-index-creation" in rules_reported(migration, loader, tmp_path)


def test_a_not_null_column_without_default_on_households_is_reported(tmp_path):
    migration, loader = a_new_migration(
        migrations.AddField("household", "income_band", models.IntegerField())
    )
    assert "adding-required-field" in rules_reported(migration, loader, tmp_path)


def test_an_index_built_concurrently_outside_a_transaction_passes(tmp_path):
    from django.contrib.postgres.operations import AddIndexConcurrently

    migration, loader = a_new_migration(
        AddIndexConcurrently("household", models.Index(fields=["address"], name="household_addr"))
    )
    migration.atomic = False
    assert rules_reported(migration, loader, tmp_path) == set()
