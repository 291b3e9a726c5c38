"""Who sees what is decided in one place: core/scope.py, used by the selectors.

A region prefix filter (`code__startswith`) or a hand-made prefix (`scope_prefix`) anywhere else
is scoping done a second time, where the next change to the rule would miss it. Doors (views, the
API, the admin, tasks) and services ask a selector instead.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A Scope read outside the selectors (`from core.scope import Scope`) is scoping done there too.
FORBIDDEN = ("code__startswith", "scope_prefix", "core.scope")
ALLOWED_FILES = {"core/scope.py"}
# Not request paths: the tests and their fixtures, the benchmarks, the demo's seed data, and
# migrations, which are history. Beside them, what is not the project's own code.
EXEMPT_FOLDERS = {"tests", "bench", "demo", "migrations"}
NOT_OURS = {".venv", "var", "node_modules", "static", "locale", "docs", "templates"}


def _is_selectors(relative: Path) -> bool:
    return relative.name == "selectors.py" or "selectors" in relative.parts[:-1]


def _checked_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        folders = set(relative.parts[:-1])
        if folders & (EXEMPT_FOLDERS | NOT_OURS) or any(p.startswith(".") for p in folders):
            continue
        if relative.as_posix() in ALLOWED_FILES or _is_selectors(relative):
            continue
        files.append(path)
    return files


def _offences(path: Path, root: Path = ROOT) -> list[str]:
    relative = path.relative_to(root).as_posix()
    return [
        f"{relative}:{number}: {word!r} in `{line.strip()}`"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for word in FORBIDDEN
        if word in line
    ]


def test_the_guard_reads_the_project_and_skips_what_is_exempt():
    checked = {path.relative_to(ROOT).as_posix() for path in _checked_files()}
    assert {"monitoring/views.py", "accounts/models.py", "monitoring/services/policy.py"} <= checked
    assert not {"core/scope.py", "households/selectors.py"} & checked
    assert not any(name.startswith(("tests/", "bench/", "demo/")) for name in checked)
    assert not any("/migrations/" in name for name in checked)


def test_region_scoping_appears_only_in_core_scope_and_selectors():
    offences = [offence for path in _checked_files() for offence in _offences(path)]
    assert not offences, (
        "Region scoping outside core/scope.py and the selectors modules. Scope a queryset in a "
        "selector with Scope.of(user).q(path) (or Scope.under(code) for a region that is not a "
        "user's), and call that selector from here:\n  " + "\n  ".join(offences)
    )


def test_the_guard_names_file_and_line(tmp_path):
    module = tmp_path / "monitoring" / "views.py"
    module.parent.mkdir()
    module.write_text("x = 1\nqs.filter(village__code__startswith=p)\n", encoding="utf-8")
    assert _offences(module, root=tmp_path) == [
        "monitoring/views.py:2: 'code__startswith' in `qs.filter(village__code__startswith=p)`"
    ]
