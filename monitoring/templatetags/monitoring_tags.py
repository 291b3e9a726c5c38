import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html

from core.display import data, money, percent
from households.models import LifeEvent
from monitoring.labels import ACTION_LABELS, CHECK_LABELS, EVIDENCE_LABELS, RULE_LABELS
from monitoring.messages import message_label as _message_label
from monitoring.models import EventKind, SignalKind, SignalOutcome

register = template.Library()


@register.filter
def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# Evidence kept as plain numbers and ISO dates, shown as money, percentages and dates are
# everywhere else (core.display).
MONEY_KEYS = {
    "per_capita_income",
    "previous_per_capita_income",
    "line",
    "ceiling",
    "rigid_spending",
    "total_net_income",
    "per_capita_after_spending",
}
SHARE_KEYS = {"drop", "threshold", "share", "share_threshold"}
DATE_KEYS = {"last_visit_on", "due_on"}


def _value(key: str, value) -> str:
    if value is None:
        return "—"
    if key in MONEY_KEYS:
        return money(value)
    if key in SHARE_KEYS:
        return percent(value)
    if key in DATE_KEYS:
        try:
            return date_format(datetime.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if key == "failed_checks":
        return "、".join(str(CHECK_LABELS.get(check, check)) for check in value)
    if key in ("events", "events_since_previous_visit"):
        items = value if isinstance(value, list) else []
        return "、".join(
            f"{EventKind(item['kind']).label} {item['on']}"
            if isinstance(item, dict)
            else str(EventKind(item).label)
            for item in items
        )
    if key == "registry_events":
        return "、".join(f"{LifeEvent.Kind(item['kind']).label} {item['on']}" for item in value)
    if key == "report":  # the household's own words (a self-report), data on the page
        return data(value)
    if key in ("signals", "area_events"):
        return "、".join(f"{SignalKind(item['kind']).label} {item['on']}" for item in value)
    return "—" if value is None else str(value)


@register.filter
def evidence_items(evidence: dict) -> list[tuple[str, str]]:
    """The evidence of a reason as (label, value) rows, in the reader's language."""
    return [
        (str(EVIDENCE_LABELS.get(key, key)), _value(key, value)) for key, value in evidence.items()
    ]


@register.filter
def message_kinds(keys) -> str:
    """A webhook's kinds of notification (message keys) as people read them."""
    return "、".join(_message_label(key) for key in keys or ())


@register.filter
def message_label(key: str) -> str:
    """A kind of notification (its message key) as people read it."""
    return _message_label(key)


@register.filter
def check_label(check: str) -> str:
    return str(CHECK_LABELS.get(check, check))


@register.filter
def who(user, empty: str = "—") -> str:
    """A user's name as people read it, marked as data (translate="no", tests/page_language.py);
    `empty` when there is none (say, the system), which is the page's own word."""
    if user is None:
        return empty
    return format_html('<span translate="no">{}</span>', user.display_name)


@register.filter
def signal_outcome(signal) -> str:
    """What became of a signal (selectors.signals_with_outcome), in words."""
    outcome = getattr(signal, "outcome", "")
    return str(SignalOutcome(outcome).label) if outcome in SignalOutcome.values else "—"
