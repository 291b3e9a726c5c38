"""How a cell becomes a value. A widget raises ValueError with a message a person can act on;
django-import-export turns it into a validation error of the row and the column."""

import datetime
from functools import cached_property

from django.conf import settings
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from core.validators import plain_text
from households.models import Region

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value) -> str:
    """A cell as the text a person typed: 620423100200 stays digits, never 6.204231002e+11."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    # Without invisible characters, as the registry stores it (core/validators.py), so
    # that a row differing only in them is seen as unchanged.
    return plain_text(str(value))


class TextWidget(widgets.Widget):
    def __init__(self, *, plain: bool = False, digits: bool = False):
        super().__init__(coerce_to_string=True)
        self.plain = plain  # a name or an address: no leading = + - @
        self.digits = digits

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.date | datetime.datetime):
            raise ValueError(_("Excel read this cell as a date; format the column as text."))
        text = cell_text(value)
        if self.plain and text.startswith(FORMULA_START):
            raise ValueError(_("This cell may not start with =, +, - or @."))
        if self.digits and text and not text.isdigit():
            raise ValueError(_("Enter digits only."))
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if not text.isdigit() or len(text) != 4:
            raise ValueError(_("Enter a year of four digits, such as 2019."))
        return int(text)


class ChoiceWidget(widgets.Widget):
    """A choice written as its label in any of the site's languages, or as its code."""

    def __init__(self, choices: type[TextChoices], default: str = ""):
        super().__init__()
        self.choices = choices
        self.default = default

    @cached_property
    def lookup(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for value, label in self.choices.choices:
                    found.setdefault(str(label).casefold(), value)
        for value in self.choices.values:
            found.setdefault(value.casefold(), value)
        return found

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.default
        try:
            return self.lookup[text.casefold()]
        except KeyError:
            allowed = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
            ) from None


YES = {"是", "yes", "y", "true", "1", "√", "✓", "有"}
NO = {"否", "no", "n", "false", "0", "×", "无"}


class YesNoWidget(widgets.Widget):
    def __init__(self, default: bool):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).casefold()
        if not text:
            return self.default
        if text in YES or text == _("Yes").casefold():
            return True
        if text in NO or text == _("No").casefold():
            return False
        raise ValueError(_("Write 是 or 否."))


class VillageWidget(widgets.Widget):
    """A village of the importer's region, by its 12-digit code or by its name."""

    def __init__(self, villages: list[Region]):
        super().__init__()
        self.by_code = {village.code: village for village in villages}
        self.by_name: dict[str, list[Region]] = {}
        for village in villages:
            for name in {village.name, village.short_name}:
                self.by_name.setdefault(name, []).append(village)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            raise ValueError(_("This field cannot be blank."))
        if text in self.by_code:
            return self.by_code[text]
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise ValueError(
                _("Several villages of your region are called %(name)s: give the village code.")
                % {"name": text}
            )
        raise ValueError(_("No such village in your region."))
