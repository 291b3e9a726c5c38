"""docs/security.md names the test behind every requirement: each name must exist.

A renamed or deleted test would otherwise leave the document claiming a proof that is gone.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
# `households/test_api.py::test_name`, and `::test_other` continuing the same file.
REFERENCE = re.compile(r"`(?:(?P<file>[\w/]+\.py))?(?:::(?P<test>\w+))?`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def _references() -> list[tuple[str, str | None]]:
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        current = None
        for match in REFERENCE.finditer(line):
            if match["file"]:
                current = match["file"]
            if current and (match["file"] or match["test"]):
                found.append((current, match["test"]))
    return found


def test_every_test_the_security_document_names_exists():
    # Code is named too (`accounts/roles.py`); only test modules are checked.
    references = [(file, test) for file, test in _references() if "/test_" in file]
    assert len(references) > 50, "the document's references were not found; has its form changed?"
    missing = []
    for file, test in references:
        path = ROOT / "tests" / file
        if not path.is_file():
            missing.append(f"tests/{file}")
        elif test and test not in _tests_in(path):
            missing.append(f"tests/{file}::{test}")
    assert not missing, f"docs/security.md names tests that do not exist: {sorted(set(missing))}"
