"""How figures read on a page, in every template without a {% load %} (a builtin library):
money as people write it ("7,600.00 元", "¥7,600.00" in English) and ratios as percentages."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from core.id_like import path_without_id as strip_id_like

register = template.Library()

MISSING = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value, places: int = 2) -> str:
    """7600 → "7,600.00 元"; nothing → "—". Grouped by thousands and rounded half up, as an
    accountant writes it, in both languages (Django's zh_Hans formats group nothing)."""
    amount = _decimal(value)
    if amount is None:
        return MISSING
    text = f"{_rounded(amount, places):,}"
    return gettext("¥%(amount)s") % {"amount": text}


@register.filter
def percent(value, places: int = 1) -> str:
    """A ratio as a percentage: 0.125 → "12.5%"; nothing → "—"."""
    ratio = _decimal(value)
    if ratio is None:
        return MISSING
    return f"{_rounded(ratio * 100, places)}%"


def _rounded(value: Decimal, places) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


@register.simple_tag
def colon() -> str:
    """The colon between a label and its value in running text: "：" after a Chinese label (no
    space: the full-width colon has its own), ": " after an English one. A form's label says the
    same through Django's label_suffix, _(":") (core.forms.LABEL_SUFFIX)."""
    suffix = gettext(":")
    return suffix if suffix != ":" else ": "


@register.filter
def data(value) -> str:
    """Data shown among the page's own words (a name, a household number, a place): marked
    translate="no", so tests/page_language.py does not take it for an untranslated word.
    Usable inside {% blocktranslate with name=member.name|data %}; not in {% block title %}
    (the document's <title> is plain text)."""
    return format_html('<span translate="no">{}</span>', value)


@register.filter
def path_without_id(request) -> str:
    """`request.get_full_path`, any ID-like value left out of its query (a form's `next`)."""
    return strip_id_like(request)
