"""Render every migration's SQL again, read it with squawk, and write what squawk found to
tests/structure/squawked_migrations.json, the record the migration-safety test trusts for a
migration whose source (and whose dependencies' sources) have not changed since.

Run it after an upgrade of Django or squawk (the test then reads everything again until it is
run) or to fold new migrations into the record. It never hides a finding: a recorded finding
outside the test's BASELINE fails the test just as a fresh one does.

Usage: DATABASE_URL=postgres://… .venv/bin/python tools/record_squawked_migrations.py
"""

import importlib
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

if __name__ == "__main__":
    # By name: the test suite stays outside the type gate, which follows every import it sees.
    safety = importlib.import_module("tests.structure.test_migrations_are_safe")
    print(f"{safety.record(Path(tempfile.mkdtemp()))} migrations recorded in {safety.SQUAWKED}")
