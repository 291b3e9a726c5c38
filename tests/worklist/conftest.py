"""The task list's world: the assistance tests' household walked from warning to case, with the
clock pinned on Monday 2 March 2026 (tests/assistance/conftest.py)."""

from tests.assistance.conftest import (  # noqa: F401  (fixtures, used by name)
    START,
    case,
    clock,
    confirmed_alert,
    household,
    step,
    visit,
)
