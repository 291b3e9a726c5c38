"""Audit events as readable rows: who, when, what, from where. Sensitive values never appear.

A write shows its changed fields the way the household page's history does
(households/history.py: bookkeeping hidden, sensitive values as ***). An export shows its filters
with anything shaped like an ID number or a phone number masked, since a search box may have held
one.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.selectors import (
    EXPORT,
    FAILURE,
    LOOKUP,
    SIGN_IN,
    UNMASK,
    WRITE,
    AuditPage,
    has_object,
)
from core.masking import MASK
from households.history import RelatedNames, event_action, event_changes, event_subject
from households.models import Member

# What an export took out, in words (its stored name is the list's key: spreadsheets/views.py
# EXPORTS, the case notice, "evidence-<kind>" for a file); an unknown name is shown as stored.
EXPORT_NAMES = {
    "households": gettext_lazy("Households"),
    "visits": gettext_lazy("Visits"),
    "alerts": gettext_lazy("Warnings"),
    "cases": gettext_lazy("Cases"),
    "measures": gettext_lazy("Measures"),
    "partners": gettext_lazy("Partners"),
    "case-notice": gettext_lazy("Public notice of a case"),
    "meeting-notice": gettext_lazy("Public notice of a deliberation meeting"),
}
# Where a sensitive value was unmasked (SensitiveAccess.channel).
UNMASK_CHANNELS = {"page": gettext_lazy("on the page"), "api": gettext_lazy("through the API")}


def export_name(name: str) -> str:
    if name.startswith("evidence-"):
        return _("Evidence file")
    return str(EXPORT_NAMES.get(name, name))


def unmasked_fields(names: str) -> str:
    """ "id_number,phone" → "身份证号、联系电话": the members' fields by their verbose names."""
    labels = []
    for name in filter(None, names.split(",")):
        try:
            field = Member._meta.get_field(name)
            labels.append(str(getattr(field, "verbose_name", name)))
        except FieldDoesNotExist:
            labels.append(name)
    # Translators: between the items of a list ("、" in Chinese).
    return _(", ").join(labels)


# 15 or more digits (an ID number, a bank account) or a mobile number, in free text.
_LONG_NUMBER = re.compile(r"\d{15,}[\dXx]?|1\d{10}")


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    kind: str
    kind_label: str
    user: str
    subject: str
    action: str
    changes: list[tuple[str, str, str]]
    detail: str
    ip: str


def kind_label(kind: str) -> str:
    labels = {
        WRITE: _("Change"),
        UNMASK: _("Unmasking"),
        LOOKUP: _("ID number look-up"),
        EXPORT: _("Export"),
        SIGN_IN: _("Sign-in"),
        FAILURE: _("Failed sign-in"),
    }
    return labels[kind]


def mask_free_text(value) -> str:
    return _LONG_NUMBER.sub(MASK, str(value))


def _field_values(event) -> dict:
    """The tracked fields of an event row, by column name (what households/history.py reads)."""
    return {
        field.attname: getattr(event, field.attname)
        for field in event._meta.concrete_fields
        if not field.name.startswith("pgh_")
    }


def _diff(event, previous) -> dict | None:
    if previous is None or event.pgh_label != "update":
        return None
    now, before = _field_values(event), _field_values(previous)
    return {
        name: [before.get(name), value] for name, value in now.items() if before.get(name) != value
    }


def audit_rows(page: AuditPage, *, viewer) -> list[AuditRow]:
    writes = [(source, row) for source, row in page.events if source.kind == WRITE]
    previous = _previous_events(writes)
    actor_ids: set[int] = {
        user_id
        for _, row in writes
        if row.pgh_context and (user_id := (row.pgh_context.metadata or {}).get("user"))
    }
    actors = {
        user.pk: user.display_name for user in get_user_model().objects.filter(pk__in=actor_ids)
    }
    related = RelatedNames(viewer=viewer)
    rows = []
    for source, row in page.events:
        if source.kind == WRITE:
            rows.append(_write_row(row, previous, actors, related))
        elif source.kind == UNMASK:
            rows.append(
                AuditRow(
                    at=row.at,
                    kind=UNMASK,
                    kind_label=kind_label(UNMASK),
                    user=row.user.display_name,
                    subject=f"{row.household.number} {row.member.name}",
                    action=unmasked_fields(row.fields),
                    changes=[],
                    detail=f"{row.reason} ({UNMASK_CHANNELS.get(row.channel, row.channel)})",
                    ip="",
                )
            )
        elif source.kind == LOOKUP:
            rows.append(
                AuditRow(
                    at=row.at,
                    kind=LOOKUP,
                    kind_label=kind_label(LOOKUP),
                    user=row.user.display_name,
                    # The number's keyed hash, shortened: the same number twice is visible, the
                    # number is not.
                    subject=row.id_number_hash[:12],
                    action=row.get_outcome_display(),
                    changes=[],
                    detail=row.get_channel_display(),
                    ip="",
                )
            )
        elif source.kind == EXPORT:
            filters = ", ".join(
                f"{key}={mask_free_text(value)}" for key, value in row.filters.items()
            )
            rows.append(
                AuditRow(
                    at=row.at,
                    kind=EXPORT,
                    kind_label=kind_label(EXPORT),
                    user=row.user.display_name,
                    subject=" ".join(filter(None, [export_name(row.name), row.household_number])),
                    action=_("%(count)s rows") % {"count": row.row_count},
                    changes=[],
                    detail=filters,
                    ip=row.ip or "",
                )
            )
        else:
            detail = ""
            if source.kind == SIGN_IN and row.logout_time:
                detail = _("signed out %(time)s") % {
                    "time": formats.date_format(
                        timezone.localtime(row.logout_time), "DATETIME_FORMAT"
                    )
                }
            elif source.kind == FAILURE and row.locked_out:
                detail = _("locked out")
            rows.append(
                AuditRow(
                    at=row.attempt_time,
                    kind=source.kind,
                    kind_label=kind_label(source.kind),
                    user=row.username,
                    # axes writes "<unknown>" for a path it was not given.
                    subject="" if row.path_info == "<unknown>" else row.path_info,
                    action="",
                    changes=[],
                    detail=detail,
                    ip=row.ip_address or "",
                )
            )
    return rows


def _previous_events(writes) -> dict[tuple[str, int], object]:
    """The event before each update on the page, one query per history table."""
    wanted: dict[type[Model], set[int]] = {}
    for _source, row in writes:
        previous_id = getattr(row, "previous_id", None)
        if previous_id is not None and row.pgh_label == "update":
            wanted.setdefault(type(row), set()).add(previous_id)
    found: dict[tuple[str, int], object] = {}
    for model, ids in wanted.items():
        for event in model._base_manager.filter(pgh_id__in=ids):
            found[(model._meta.label, event.pk)] = event  # pgh_id is the primary key
    return found


def _write_row(row, previous, actors, related) -> AuditRow:
    model = row.pgh_tracked_model
    context = (row.pgh_context.metadata or {}) if row.pgh_context else {}
    before = previous.get((row._meta.label, getattr(row, "previous_id", None)))
    data = {field.name: getattr(row, field.attname) for field in row._meta.concrete_fields}
    subject = event_subject(model, data, related)
    if has_object(type(row)):
        subject = f"{subject} #{row.pgh_obj_id}"
    return AuditRow(
        at=row.pgh_created_at,
        kind=WRITE,
        kind_label=kind_label(WRITE),
        user=actors.get(context.get("user"), _("system")),
        subject=subject,
        action=event_action(row.pgh_label),
        changes=event_changes(model, _diff(row, before), related),
        detail=mask_free_text(context.get("url", "")),
        ip="",
    )
