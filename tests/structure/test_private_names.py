"""No app reaches into another app's private names (a leading underscore): what another app may
call is public in the app that owns it (the Excel import once called `households.services.
_check_exit_year`; the registry's rules are now public in households/registry_rules.py)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_APPS = {"tests", "node_modules", "var", "static", "templates", "locale", "docs"}
APPS = sorted(
    path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in NOT_APPS
)


# Django documents a model's `_meta` as its public Options API despite the underscore.
PUBLIC_DESPITE_UNDERSCORE = {"_meta"}


def _is_private(name: str) -> bool:
    return (
        name.startswith("_") and not name.startswith("__") and name not in PUBLIC_DESPITE_UNDERSCORE
    )


def _reaches(app: str, tree: ast.AST) -> list[tuple[int, str]]:
    """Private names of other apps that a module of `app` imports or reads off their modules."""
    found, foreign = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in set(APPS) - {app}:
                for alias in node.names:
                    if _is_private(alias.name):
                        found.append((node.lineno, f"{node.module}.{alias.name}"))
                    foreign[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in set(APPS) - {app}:
                    foreign[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in foreign:
                found.append((node.lineno, f"{foreign[base.id]} … .{node.attr}"))
    return found


def test_the_apps_are_found():
    assert {"core", "households", "spreadsheets", "monitoring", "config"} <= set(APPS)


def test_no_app_uses_a_private_name_of_another_app():
    reaches = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        for line, name in _reaches(app, ast.parse(path.read_text(), str(path)))
    ]
    assert reaches == []
