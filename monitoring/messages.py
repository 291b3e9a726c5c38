"""The registry of notification messages: a key, and a template with named placeholders.

A notification stores its key and arguments, never its words, so that it is rendered in the
reader's language when it is read (`Notification.rendered`), mailed or posted to a webhook.
Every message says what happened and what to do.

To add a message: a `Message` in MESSAGES below (its template marked with gettext_lazy, so
`makemessages` finds it, and its msgid translated in locale/zh_Hans/LC_MESSAGES/django.po), then
`notify(..., key="your_key", arguments={...})`. An app above monitoring may instead call
`register(...)` from its AppConfig.ready(): the registry is data, so monitoring never imports it.

Arguments are JSON values. A date is given as an ISO string and named in `dates`, so it is
written the reader's way ("12月5日" / "December 5"), or in `dates_with_year` with its year
("2027年3月2日"); an argument named in `translated` holds an English msgid (a choice's label
rendered under `translation.override("en")`) and is translated when read. Arguments name a
household by number and head name only: never an ID number, a phone, a bank account or health
data (notify() masks any such number that slips through).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Message:
    template: Promise | str
    # What the message is about, in a few words: the kinds a county officer picks for a webhook
    # and reads in its delivery log (never the raw key).
    label: Promise | str = ""
    dates: tuple[str, ...] = ()
    # Dates written with their year: a period that may run into the next year.
    dates_with_year: tuple[str, ...] = ()
    translated: tuple[str, ...] = ()
    # Templates of the e-mail, given {recipient, text, arguments, link}; the plain ones if empty.
    email_subject: str = ""
    email_body: str = ""


MESSAGES: dict[str, Message] = {
    "alert_assigned": Message(
        label=_("Warning assigned to you"),
        template=_(
            "A risk warning for household %(number)s %(head)s was assigned to you: "
            "please visit the household and verify it."
        ),
    ),
    "area_signal": Message(
        label=_("Area-wide department signal"),
        template=_(
            "Area-wide department signal for %(region)s: %(count)d households affected. "
            "Please review the new warnings in the queue."
        ),
    ),
    "area_event": Message(
        label=_("Area event to screen"),
        template=_(
            "Area event for %(region)s (%(kind)s): %(count)d households to screen. "
            "Please have the village workers screen them, the most vulnerable first."
        ),
        translated=("kind",),
    ),
    "case_moved": Message(
        label=_("Case moved on"),
        template=_("Case of household %(number)s: %(status)s. Please take the next step."),
        translated=("status",),
    ),
    "measure_recorded": Message(
        label=_("Partner recorded a measure"),
        template=_("%(partner)s recorded %(status)s for: %(title)s. Please check the measure."),
        translated=("status",),
    ),
    "step_due": Message(
        label=_("Case step due"),
        template=_("Please finish %(step)s for household %(number)s by %(due)s."),
        dates=("due",),
        translated=("step",),
    ),
    "digest_village": Message(
        label=_("Daily digest of village workers"),
        template=_(
            "Today: %(overdue)d households are overdue for a visit and %(due)d are due within "
            "a week. Please visit the overdue households first."
        ),
    ),
    "digest_township": Message(
        label=_("Daily digest of township cadres"),
        template=_(
            "Your region has %(open)d open risk warnings: %(new)d new since yesterday, "
            "%(high)d of high level, %(unassigned)d not yet assigned. Please assign and "
            "verify them."
        ),
        email_subject="monitoring/digest_subject.txt",
        email_body="monitoring/digest_body.txt",
    ),
}


def register(key: str, message: Message) -> None:
    """Add a message from an app above monitoring (call it from AppConfig.ready())."""
    if MESSAGES.get(key, message) != message:
        raise ValueError(f"message key {key!r} is taken")
    MESSAGES[key] = message


def _argument(message: Message, name: str, value):
    if name in message.dates + message.dates_with_year and isinstance(value, str):
        form = "DATE_FORMAT" if name in message.dates_with_year else "MONTH_DAY_FORMAT"
        try:
            return formats.date_format(datetime.date.fromisoformat(value), form)
        except ValueError:
            return value
    if name in message.translated and isinstance(value, str):
        return gettext(value)
    return value


def message_label(key: str) -> str:
    """A message kind as people read it: its label in the active language, else its key."""
    message = MESSAGES.get(key)
    if message is None or not message.label:
        return key
    return str(message.label)


def message_kinds() -> list[tuple[str, str]]:
    """Every kind of message as (key, label), in the order of their labels' keys."""
    return [(key, message_label(key)) for key in sorted(MESSAGES)]


def render_message(key: str, arguments: dict, *, marked: bool = False) -> str:
    """The message in the active language; "" for an unknown key or arguments that do not fit
    (the caller then shows the stored text). `marked`: as HTML, the data among its words (a
    household number, a name: a text argument neither a date nor translated) marked translate="no"
    (tests/page_language.py)."""
    message = MESSAGES.get(key)
    if message is None:
        return ""
    values = {name: _argument(message, name, value) for name, value in (arguments or {}).items()}
    if marked:
        # Every value escaped: a date or a translated word as text (a stored value that is not
        # one comes back as it was stored), a name marked as data; a count is neither.
        values = {
            name: (conditional_escape(value) if isinstance(value, str) else value)
            if name in message.dates + message.dates_with_year + message.translated
            or not isinstance(value, str)
            else format_html('<span translate="no">{}</span>', value)
            for name, value in values.items()
        }
    try:
        template = message.template
        text = str(template) if isinstance(template, Promise) else gettext(template)
        if marked:
            # The words escaped here, each value above.
            return mark_safe(conditional_escape(text) % values)  # noqa: S308
        return text % values
    except (KeyError, TypeError, ValueError):
        return ""


_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])|%%")


def recover_message(text: str, language: str) -> tuple[str, dict] | None:
    """The key and arguments of a notification stored as text only (the rows made before
    messages had keys, written in `language`), when exactly one registered message renders to
    that text again; None when none does (the stored text stays what is shown). Messages with
    dates or translated arguments are not guessed: their words cannot be read back safely."""
    found = []
    with translation.override(language):
        for key, message in MESSAGES.items():
            if message.dates or message.dates_with_year or message.translated:
                continue
            template = str(message.template)
            pattern, start, kinds = [], 0, {}
            for match in _PLACEHOLDER.finditer(template):
                pattern.append(re.escape(template[start : match.start()]))
                start = match.end()
                if match.group(0) == "%%":
                    pattern.append("%")
                    continue
                name, kind = match.groups()
                if name in kinds:
                    pattern.append(f"(?P={name})")
                    continue
                kinds[name] = kind
                pattern.append(rf"(?P<{name}>-?\d+)" if kind == "d" else rf"(?P<{name}>.+?)")
            pattern.append(re.escape(template[start:]))
            hit = re.fullmatch("".join(pattern), text, flags=re.DOTALL)
            if hit is None:
                continue
            arguments = {
                name: int(value) if kinds[name] == "d" else value
                for name, value in hit.groupdict().items()
            }
            if render_message(key, arguments) == text:
                found.append((key, arguments))
    return found[0] if len(found) == 1 else None
