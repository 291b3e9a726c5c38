"""Every field of Dixian's models is named in words a reader understands: the admin, the API's
schema and every model form show the field's verbose_name, and a field without one shows its
code name ("Recheck on", "chunks_done") in English whatever the reader's language."""

import pytest
from django.apps import apps

DIXIAN_APPS = (
    "accounts",
    "audit",
    "evidence",
    "households",
    "monitoring",
    "pairings",
    "assistance",
    "livelihoods",
    "development",
    "backtests",
    "outcomes",
    "self_reports",
    "dashboards",
    "worklist",
    "spreadsheets",
    "ops",
    "demo",
)


def _is_history(model) -> bool:
    # pghistory's event models copy the tracked model's fields and add their own pgh_* columns.
    return any(field.name == "pgh_id" for field in model._meta.concrete_fields)


def unnamed_fields() -> list[str]:
    found = []
    for label in DIXIAN_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if _is_history(model):
                continue
            for field in model._meta.concrete_fields:
                if not field.auto_created and field._verbose_name is None:
                    found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.django_db
def test_every_field_has_a_verbose_name():
    assert unnamed_fields() == []


@pytest.mark.django_db
def test_the_check_sees_the_fields_it_is_about():
    from households.models import Household

    field = Household._meta.get_field("version")
    named, field._verbose_name = field._verbose_name, None
    try:
        assert "households.Household.version" in unnamed_fields()
    finally:
        field._verbose_name = named
