"""The filters a list is showing, in words, each with a link that drops it: a list opened from a
dashboard figure says why it holds what it holds (a visit due before a day is no field of the
list's form, yet it narrows the list)."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.formats import date_format
from django.utils.translation import gettext

from core.regions import area_prefix

# Parameters that order or page a list, or search it (the box shows its own text).
NOT_FILTERS = frozenset({"ordering", "q", "page", "cursor", "show"})
PAGING = frozenset({"page", "cursor"})


@dataclass(frozen=True)
class AppliedFilter:
    label: str
    value: str
    without: str  # the query string with this filter dropped
    is_data: bool  # the value is data (a village's name), not the page's own words


def _shown(field, value) -> str:
    # A field's own choices, or its widget's (a region picked by name is a text field whose
    # select lists the areas by their prefixes).
    offered = getattr(field, "choices", None) or getattr(field.widget, "choices", None) or ()
    choices = {str(key): str(label) for key, label in offered}
    values = value if isinstance(value, list | tuple) else [value]
    words = []
    for item in values:
        if isinstance(item, datetime.date):
            words.append(date_format(item))
        elif choices:
            # A dashboard's link names a region by its full code, the select by its prefix.
            label = choices.get(str(item)) or choices.get(area_prefix(str(item)), str(item))
            words.append(label.lstrip("— "))
        else:
            words.append(str(item))
    # Translators: between the items of a list ("、" in Chinese).
    return gettext(", ").join(words)


def applied_filters(filterset, params) -> list[AppliedFilter]:
    """The bound filterset's filters that narrow the list, each as a label, a value and the link
    without it. Nothing for an invalid filterset (the list then shows nothing and its errors)."""
    if not filterset.is_valid():
        return []
    form = filterset.form
    applied = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name in NOT_FILTERS or value in (None, "", [], ()):
            continue
        rest = [(key, item) for key in params if key != name for item in params.getlist(key)]
        applied.append(
            AppliedFilter(
                label=str(field.label),
                value=_shown(field, value),
                # A filter dropped starts the list again from its first page.
                without=urlencode([(key, item) for key, item in rest if key not in PAGING]),
                is_data=field.widget.attrs.get("translate") == "no",
            )
        )
    return applied
