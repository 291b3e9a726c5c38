"""The dashboards count what the assistance suite builds: a warning walked into a case."""

from tests.assistance.conftest import (  # noqa: F401  (fixtures)
    case,
    clock,
    confirmed_alert,
    household,
    walk_identification,
)
