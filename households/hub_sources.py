"""The registry's own entries on the household's timeline (households.hub): life events in words
(a health event says only that health changed) and the changes people made to the household and
its members, named by field, the values left to the change history below it."""

from django.db.models import Count, Window
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy

from core.display import data as marked
from households import selectors
from households.history import history_rows, life_event_rows, page_related_names
from households.hub import EntryPage, HubSource, TimelineEntry, register
from households.models import Household

LIFE_EVENT = "life_event"
REGISTRY = "registry"


def life_event_entries(user, household: Household, limit: int) -> EntryPage:
    events = list(
        selectors.household_life_events(household=household).annotate(total=Window(Count("pk")))[
            :limit
        ]
    )
    entries = [
        TimelineEntry(
            kind=LIFE_EVENT,
            on=row.occurred_on,
            title=row.label,
            detail=format_html_join(
                " · ", "{}", ((marked(part),) for part in (row.member, row.other_household) if part)
            ),
        )
        for row in life_event_rows(events, viewer=user)
    ]
    return EntryPage(entries, events[0].total if events else 0)


def registry_entries(user, household: Household, limit: int) -> EntryPage:
    entries = []
    changes = selectors.household_registry_changes(household=household)
    related = page_related_names(user=user, household=household)
    for row in history_rows(changes[:limit], viewer=user, related=related):
        at = timezone.localtime(row.at)
        entries.append(
            TimelineEntry(
                kind=REGISTRY,
                on=at.date(),
                at=at,
                title=format_html("{} · {}", marked(row.subject), row.action),
                detail=gettext(", ").join(field for field, _old, _new in row.changes),
                outcome=marked(row.user),
            )
        )
    return EntryPage(entries, changes.count())


def register_sources() -> None:
    register(
        HubSource(
            key=LIFE_EVENT,
            label=pgettext_lazy("household timeline", "Life events"),
            order=60,
            entries=life_event_entries,
        )
    )
    register(
        HubSource(
            key=REGISTRY,
            label=pgettext_lazy("household timeline", "Registry changes"),
            order=70,
            entries=registry_entries,
        )
    )
