"""The household page's history: pghistory events turned into readable, masked rows."""

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households import selectors
from households.hub import shared_read
from households.models import Household, LifeEvent

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
    # Case bookkeeping: the order of steps and the eligibility snapshot shown on the step itself.
    "position",
    "round",
    "elimination_round",
    "eligibility",
    "password",
    "last_login",
}
# Changed, but the values stay out of the history page.
SENSITIVE = {
    "id_number_masked",
    # The 8 digits the ID mask hides: beside the mask, it rebuilds the number.
    "birth_date",
    "phone",
    "bank_account",
    "health",
    "disability",
    "health_note",
    # A department signal's free text may name an illness or a diagnosis.
    "detail",
    "contact_phone",
    "email",
}


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    subject: str
    action: str
    user: str
    changes: list[tuple[str, str, str]]


def _display(field, value, related: "RelatedNames") -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.is_relation:
        return related.name(field.related_model, value)
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        try:
            return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


class RelatedNames:
    """Names of the rows a history row points to (who acted, which partner), fetched once.

    A household the viewer may not see (a moved member's household in another region) is named
    "another household", never by its number and head.
    """

    def __init__(self, *, viewer, known=()):
        """`known`: rows the caller has read already and the viewer may see (the page's own
        household, its village, its members), named without a statement of their own."""
        self._viewer = viewer
        self._names: dict[tuple, str] = {}
        self._users: dict[int | None, str] = {}
        for row in known:
            name = row.display_name if hasattr(row, "display_name") else str(row)
            self._names[type(row), row.pk] = name

    def users(self, ids) -> dict[int | None, str]:
        """Display names of these users, each read once however many lists ask."""
        missing = {pk for pk in ids if pk not in self._users}
        if missing:
            for user in get_user_model().objects.filter(pk__in=missing):
                self._users[user.pk] = user.display_name
        return self._users

    def name(self, model, pk) -> str:
        key = (model, pk)
        if model is get_user_model() and pk in self._users:
            return self._users[pk]  # read with the actors of the events (`history_rows`)
        if key not in self._names:
            # With the rows its name reads (a delegation names its delegate and region).
            row = model._default_manager.select_related().filter(pk=pk).first()
            if model is Household and not (
                row is not None
                and selectors.households_visible_to(self._viewer).filter(pk=pk).exists()
            ):
                self._names[key] = _("another household")
            elif row is None:
                self._names[key] = str(pk)
            elif hasattr(row, "display_name"):  # a user
                self._names[key] = row.display_name
            else:
                self._names[key] = str(row)
        return self._names[key]


def event_subject(model, data: dict, related: "RelatedNames") -> str:
    """What an event is about, in words: "member 张三", "measure 养殖补贴", "household"."""
    subject = str(model._meta.verbose_name)
    if model._meta.model_name == "member":
        subject = f"{subject} {data.get('name', '')}"
    elif model._meta.model_name == "casestep":
        subject = _display(model._meta.get_field("kind"), data.get("kind"), related)
    elif model._meta.model_name == "measure":
        subject = f"{subject} {data.get('title', '')}"
    return subject


def event_changes(model, diff: dict | None, related: "RelatedNames") -> list[tuple[str, str, str]]:
    """(field, old, new) of a change, bookkeeping left out and sensitive values masked."""
    changes = []
    for name, values in (diff or {}).items():
        if name in HIDDEN:
            continue
        field_name = name[:-3] if name.endswith("_id") else name
        field = model._meta.get_field(field_name)
        if name in SENSITIVE:
            old, new = "***", "***"
        else:
            old, new = (_display(field, value, related) for value in values)
        changes.append((str(field.verbose_name), old, new))
    return changes


def event_action(label: str) -> str:
    if label == "insert":
        return _("created")
    if label == "delete":
        return _("deleted")
    return _("changed")


def history_rows(events, *, viewer, related: RelatedNames | None = None) -> list[HistoryRow]:
    """`related`: names already read by the page's other lists (`page_related_names`)."""
    events = list(events)
    user_ids: set[int] = {
        user_id for event in events if (user_id := (event.pgh_context or {}).get("user"))
    }
    # The users the events point to (a visit's visitor, a warning's assignee) are read with
    # the actors, in one statement, rather than one statement a user.
    user_model = get_user_model()
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        for name, values in (event.pgh_diff or {}).items():
            field_name = name[:-3] if name.endswith("_id") else name
            if name in HIDDEN or name in SENSITIVE:
                continue
            field = model._meta.get_field(field_name)
            if field.is_relation and field.related_model is user_model:
                user_ids.update(value for value in values if isinstance(value, int))
    related = related or RelatedNames(viewer=viewer)
    users: dict[int | None, str] = dict(related.users(user_ids))
    rows = []
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        data = event.pgh_data or {}
        if model._meta.model_name == "casestep" and event.pgh_label == "insert":
            continue  # a case's steps are made with it and listed with their due dates
        changes = event_changes(model, event.pgh_diff, related)
        if event.pgh_label == "update" and not changes:
            continue
        rows.append(
            HistoryRow(
                at=event.pgh_created_at,
                subject=event_subject(model, data, related),
                action=event_action(event.pgh_label),
                user=users.get((event.pgh_context or {}).get("user"), _("system")),
                changes=changes,
            )
        )
    return rows


def page_related_names(*, user, household: Household, members=()) -> RelatedNames:
    """The names the household page's two histories share (its timeline's registry changes,
    its change history): its household, village and members are the rows it read already, and
    each other row or user is read once for both lists."""
    return shared_read(
        user,
        household,
        "related_names",
        lambda: RelatedNames(viewer=user, known=[household, household.village, *members]),
    )


# Health and disability are sensitive (Member.SENSITIVE_FIELDS): the timeline says that a
# member's health changed, never how, as the change history above hides the values.
HEALTH_EVENT_KINDS = frozenset(
    {
        LifeEvent.Kind.SERIOUS_ILLNESS,
        LifeEvent.Kind.DISABILITY,
        LifeEvent.Kind.HEALTH_RECOVERED,
    }
)
HEALTH_CHANGED = "health_changed"
HEALTH_CHANGED_LABEL = gettext_lazy("Health or disability changed")
TIMELINE_KIND_CHOICES = [
    *[(value, label) for value, label in LifeEvent.Kind.choices if value not in HEALTH_EVENT_KINDS],
    (HEALTH_CHANGED, HEALTH_CHANGED_LABEL),
]


@dataclass(frozen=True)
class LifeEventRow:
    occurred_on: date
    kind: str
    label: str
    member: str
    other_household: str  # its number, "another household" if the viewer may not see it, or ""


def life_event_rows(events, *, viewer) -> list[LifeEventRow]:
    """The household's timeline: each life event in words. A health or disability event says
    only that the member's health changed (HEALTH_EVENT_KINDS); another household is named only
    to a viewer who may see it, as in the history above."""
    events = list(events)
    visible = selectors.households_visible_ids(viewer, {e.other_household_id for e in events})
    rows = []
    for event in events:
        other = ""
        if event.other_household_id is not None:
            other = (
                event.other_household.number
                if event.other_household_id in visible
                else _("another household")
            )
        health = event.kind in HEALTH_EVENT_KINDS
        rows.append(
            LifeEventRow(
                occurred_on=event.occurred_on,
                kind=HEALTH_CHANGED if health else event.kind,
                label=str(HEALTH_CHANGED_LABEL) if health else event.get_kind_display(),
                member=event.member.name if event.member_id else "",
                other_household=other,
            )
        )
    return rows
