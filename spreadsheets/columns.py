"""The columns of the registry template: one row per member, the household repeated on each.

Headers are the registry's own field names (translated), so the template reads like the pages.
A file is accepted with the headers of any of the site's languages, or the column keys.
"""

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from households.models import Member, PovertyStatus


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool = False
    choices: type[TextChoices] | None = None
    yes_no: bool = False
    text: bool = False  # kept as text in Excel (long digit strings lose digits as numbers)
    width: int = 12
    household: bool = False

    @property
    def header(self) -> str:
        return str(self.label)


HOUSEHOLD_COLUMNS = (
    Column("number", _("household number"), required=True, text=True, width=20, household=True),
    Column("village", _("village"), required=True, text=True, width=16, household=True),
    Column("poverty_status", _("poverty status"), True, PovertyStatus, household=True),
    Column("poverty_exit_year", _("year lifted out of poverty"), household=True),
    Column("address", _("address"), width=24, household=True),
    Column("phone", _("phone"), text=True, width=14, household=True),
    Column("bank_account", _("bank account"), text=True, width=22, household=True),
)
MEMBER_COLUMNS = (
    Column("name", _("Name"), required=True),
    Column("id_number", _("ID number"), required=True, text=True, width=21),
    Column("relation", _("relation to head"), True, Member.Relation),
    Column("labour", _("labour capacity"), True, Member.Labour, width=18),
    Column("education", _("education"), True, Member.Education, width=16),
    Column("health", _("health"), choices=Member.Health, width=16),
    Column("disability", _("disability"), choices=Member.Disability),
    Column("health_note", _("health details"), width=18),
    Column("schooling", _("schooling"), choices=Member.Schooling),
    Column("work", _("work"), choices=Member.Work, width=18),
    Column("member_phone", _("Member's phone"), text=True, width=14),
    Column("medical_insurance", _("basic medical insurance"), yes_no=True),
    Column("pension_insurance", _("basic pension insurance"), yes_no=True),
    Column("dibao", _("minimum living allowance (dibao)"), yes_no=True),
    Column("tekun", _("extreme-poverty support (tekun)"), yes_no=True),
    Column("status", _("status"), choices=Member.Status, width=14),
)
COLUMNS = HOUSEHOLD_COLUMNS + MEMBER_COLUMNS
BY_KEY = {column.key: column for column in COLUMNS}


def header_aliases() -> dict[str, str]:
    """Every accepted spelling of a header, in each of the site's languages, to its column key."""
    from django.conf import settings

    aliases: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for column in COLUMNS:
                aliases.setdefault(normalise_header(column.header), column.key)
    for column in COLUMNS:
        aliases.setdefault(column.key, column.key)
    return aliases


def normalise_header(value) -> str:
    return "".join(str(value or "").split()).casefold()
