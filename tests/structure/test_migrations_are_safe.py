"""Migrations that are safe on a large table: each one's SQL, as `sqlmigrate` renders it, through
squawk (squawk-cli, the linter for PostgreSQL migrations).

A statement on a table that the same migration creates is left alone: the table is empty while
the migration runs, so no lock on it keeps anyone waiting (squawk itself lets an index on such a
table pass, but not a NOT NULL column added after the CREATE TABLE, which is how Django writes a
foreign key of a new model). Migrations that already ran everywhere are listed in BASELINE with
the reason they were acceptable then; a new migration is checked in full.

Rendering is Django's migration state at work, a third of a second a migration: 36 s of the suite
for a hundred migrations that no longer change. SQUAWKED records what squawk found in each one,
under a digest of its source and of every migration it depends on, and for the Django and squawk
that rendered and read it. A migration whose digest is recorded is judged on its record; a new or
edited one (or one after an edited one), or every one after an upgrade of Django or squawk, is
rendered and read again. The record is written by the same code, never by hand:
`DATABASE_URL=… .venv/bin/python tools/record_squawked_migrations.py`.
"""

import hashlib
import importlib
import importlib.metadata
import inspect
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
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


SQUAWKED = Path(__file__).with_name("squawked_migrations.json")
# The top-level packages of the project (its apps, core, config): a module of theirs that a
# migration uses is part of what its digest covers.
PROJECT_PACKAGES = frozenset(
    path.name for path in Path(settings.BASE_DIR).iterdir() if (path / "__init__.py").exists()
)
# The record's own tests render no migration built concurrently: a transaction will do.
in_a_transaction = pytest.mark.django_db


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


@cache
def tools_versions() -> str:
    """What turns a migration into findings besides its own source: the Django that renders
    the SQL, the trigger libraries whose SQL some migrations carry, the squawk that reads it, and
    this module's own rules (the style rules left out, the PostgreSQL version, the empty-table
    filter). A record made by other tools or rules is not trusted."""
    completed = subprocess.run([str(SQUAWK), "--version"], capture_output=True, text=True)
    rules = hashlib.sha256(
        (inspect.getsource(squawk) + inspect.getsource(render) + ",".join(STYLE_RULES)).encode()
    ).hexdigest()[:16]
    libraries = "; ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("django", "django-pgtrigger", "django-pghistory")
    )
    return f"{libraries}; {completed.stdout.strip()}; rules {rules}"


def source_of(migration) -> bytes:
    """The migration's source, and that of every project module it takes a name from: the
    audit tables' migrations carry SQL written in audit/triggers.py."""
    module = importlib.import_module(migration.__module__)
    base = Path(settings.BASE_DIR).resolve()
    used = {module.__name__}
    for value in vars(module).values():
        name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        if isinstance(name, str) and name.split(".")[0] in PROJECT_PACKAGES:
            used.add(name)
    return b"".join(
        Path(inspect.getfile(importlib.import_module(name))).resolve().read_bytes()
        for name in sorted(used)
        if Path(inspect.getfile(importlib.import_module(name))).resolve().is_relative_to(base)
    )


def digests(loader: MigrationLoader, migrations_: list, source=source_of) -> dict[tuple, str]:
    """Each project migration's digest: its source and its dependencies' digests (a migration's
    SQL depends on the state the earlier ones built), so an edit reaches everything after it."""
    ours = {(m.app_label, m.name): m for m in migrations_}
    found: dict[tuple, str] = {}

    def digest(key: tuple) -> str:
        if key not in found:
            parents = sorted(
                digest(parent.key) if parent.key in ours else "/".join(parent.key)
                for parent in loader.graph.node_map[key].parents
            )
            found[key] = hashlib.sha256(source(ours[key]) + "".join(parents).encode()).hexdigest()
        return found[key]

    for key in ours:
        digest(key)
    return found


def trusted(record: dict) -> dict:
    """The record's entries, if the Django and squawk of this run made them."""
    return record["migrations"] if record["tools"] == tools_versions() else {}


def read_record() -> dict:
    if not SQUAWKED.exists():
        return {"tools": "", "migrations": {}}
    return json.loads(SQUAWKED.read_text())


def findings_of_every_migration(
    tmp_path: Path, record: dict
) -> tuple[dict[tuple[str, str], list[Finding]], dict[tuple[str, str], str], int]:
    """Each project migration's findings (recorded, or rendered and read now), its digest, and
    how many were rendered now."""
    loader = MigrationLoader(connection)
    migrations_ = project_migrations(loader)
    digest_of = digests(loader, migrations_)
    recorded = trusted(record)
    findings, rendered = {}, 0
    for migration in migrations_:
        key = (migration.app_label, migration.name)
        entry = recorded.get(".".join(key))
        if entry is not None and entry["digest"] == digest_of[key]:
            findings[key] = [Finding(rule, statement) for rule, statement in entry["findings"]]
            continue
        sql = render(migration, loader)
        findings[key] = squawk(sql, tmp_path, f"{migration.app_label}_{migration.name}")
        rendered += 1
    return findings, digest_of, rendered


def unsafe_and_seen(findings: dict[tuple[str, str], list[Finding]]) -> tuple[list[str], set]:
    """The findings no BASELINE or INTENDED entry accepts, and every (app, migration, rule)."""
    unsafe, seen = [], set()
    for (app_label, name), found in findings.items():
        for finding in found:
            key = (app_label, name, finding.rule)
            seen.add(key)
            if key not in BASELINE and key not in INTENDED:
                unsafe.append(f"{key}: {finding.statement[:160]}")
    return unsafe, seen


def test_every_migration_is_safe_on_a_large_table(tmp_path):
    findings, _, _ = findings_of_every_migration(tmp_path, read_record())
    unsafe, seen = unsafe_and_seen(findings)
    assert not unsafe, "Unsafe on a large table:\n" + "\n".join(unsafe)
    assert set(BASELINE) | set(INTENDED) <= seen, (
        f"Baseline entries squawk no longer reports: {(set(BASELINE) | set(INTENDED)) - seen}"
    )


def test_the_record_was_made_by_the_tools_and_rules_of_this_run():
    """Else every migration is rendered again on every run (the test still holds, slowly):
    after an upgrade of Django, the trigger libraries or squawk, or an edit of the rules here,
    the record is made again in the same commit."""
    assert read_record()["tools"] == tools_versions(), (
        "Run `DATABASE_URL=… .venv/bin/python tools/record_squawked_migrations.py` and commit "
        f"{SQUAWKED.name}."
    )


@in_a_transaction
def test_the_record_names_only_migrations_that_exist():
    loader = MigrationLoader(connection)
    names = {f"{m.app_label}.{m.name}" for m in project_migrations(loader)}
    stale = sorted(set(read_record()["migrations"]) - names)
    assert not stale, f"{SQUAWKED.name} records migrations that are gone: {stale}"


KEY = ("households", "0002_cached_facts")  # squawk finds BASELINE entries in it


@in_a_transaction
def test_a_migration_whose_digest_differs_from_its_record_is_read_again(tmp_path):
    loader = MigrationLoader(connection)
    digest_of = digests(loader, project_migrations(loader))
    # A record that says every migration is clean: believed only where the digest matches.
    record = {
        "tools": tools_versions(),
        "migrations": {
            ".".join(key): {"digest": d, "findings": []} for key, d in digest_of.items()
        },
    }
    findings, _, rendered = findings_of_every_migration(tmp_path, record)
    assert rendered == 0 and findings[KEY] == []
    record["migrations"][".".join(KEY)]["digest"] = "the digest of an older source"
    findings, _, rendered = findings_of_every_migration(tmp_path, record)
    assert rendered == 1
    assert {"ban-drop-column", "require-concurrent-index-creation"} <= {
        finding.rule for finding in findings[KEY]
    }


@in_a_transaction
def test_a_recorded_finding_fails_the_test_as_a_fresh_one_does(tmp_path):
    loader = MigrationLoader(connection)
    digest_of = digests(loader, project_migrations(loader))
    key = ("households", "0003_risk_eliminated_on")
    record = {
        "tools": tools_versions(),
        "migrations": {
            ".".join(one): {
                "digest": d,
                "findings": [["require-concurrent-index-creation", "CREATE INDEX …"]]
                if one == key
                else [],
            }
            for one, d in digest_of.items()
        },
    }
    findings, _, rendered = findings_of_every_migration(tmp_path, record)
    unsafe, _seen = unsafe_and_seen(findings)
    assert rendered == 0
    assert unsafe == [f"{(*key, 'require-concurrent-index-creation')}: CREATE INDEX …"]


@in_a_transaction
def test_the_audit_triggers_sql_is_part_of_the_digest_of_the_migrations_that_carry_it():
    loader = MigrationLoader(connection)
    carrier = loader.graph.nodes[("audit", "0003_refuse_function_without_test_branch")]
    triggers = Path(inspect.getfile(importlib.import_module("audit.triggers"))).read_bytes()
    assert triggers in source_of(carrier)


@in_a_transaction
def test_a_record_made_with_another_django_or_squawk_is_not_believed():
    record = {"tools": tools_versions(), "migrations": {"households.0001_initial": {}}}
    assert trusted(record) == record["migrations"]
    record["tools"] = "django 5.1.4; squawk 2.0.0"
    assert trusted(record) == {}


@in_a_transaction
def test_an_edit_changes_the_digest_of_every_migration_after_it():
    loader = MigrationLoader(connection)
    migrations_ = project_migrations(loader)
    before = digests(loader, migrations_)

    def edited(migration) -> bytes:
        return source_of(migration) + (
            b"# edited" if (migration.app_label, migration.name) == KEY else b""
        )

    after = digests(loader, migrations_, edited)
    changed = {key for key in before if before[key] != after[key]}
    after_it = {key for key in before if KEY in loader.graph.forwards_plan(key)}
    assert KEY in changed and changed == after_it and len(after_it) < len(before)


def record(tmp_path: Path) -> int:
    """Render and read every migration again, and write the record; how many it holds."""
    findings, digest_of, _ = findings_of_every_migration(tmp_path, {"tools": "", "migrations": {}})
    migrations_ = {
        ".".join(key): {
            "digest": digest_of[key],
            "findings": [[finding.rule, finding.statement] for finding in found],
        }
        for key, found in sorted(findings.items())
    }
    document = {"tools": tools_versions(), "migrations": migrations_}
    SQUAWKED.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return len(migrations_)


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
