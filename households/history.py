"""The household page's history: pghistory events turned into readable, masked rows."""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

# Bookkeeping columns nobody needs to read about.
HIDDEN = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "id_number_encrypted",
    "id_number_hash",
    "head_name",
    "member_count",
}
# Changed, but the values stay out of the history page.
SENSITIVE = {"id_number_masked", "phone", "bank_account", "health", "disability", "health_note"}


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    subject: str
    action: str
    user: str
    changes: list[tuple[str, str, str]]


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def history_rows(events) -> list[HistoryRow]:
    events = list(events)
    user_ids = {(event.pgh_context or {}).get("user") for event in events} - {None}
    users = {
        user.pk: user.get_full_name() or user.username
        for user in get_user_model().objects.filter(pk__in=user_ids)
    }
    rows = []
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        data = event.pgh_data or {}
        subject = str(model._meta.verbose_name)
        if model._meta.model_name == "member":
            subject = f"{subject} {data.get('name', '')}"
        changes = []
        for name, values in (event.pgh_diff or {}).items():
            if name in HIDDEN:
                continue
            field_name = name[:-3] if name.endswith("_id") else name
            field = model._meta.get_field(field_name)
            if name in SENSITIVE:
                old, new = "***", "***"
            else:
                old, new = (_display(field, value) for value in values)
            changes.append((str(field.verbose_name), old, new))
        if event.pgh_label == "update" and not changes:
            continue
        rows.append(
            HistoryRow(
                at=event.pgh_created_at,
                subject=subject,
                action=_("created") if event.pgh_label == "insert" else _("changed"),
                user=users.get((event.pgh_context or {}).get("user"), _("system")),
                changes=changes,
            )
        )
    return rows
