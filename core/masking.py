"""How sensitive fields look to someone who has not unmasked them.

Masking is the default for every role; a role with the unmask permission sees the full values
only through `services.sensitive_unmask`, which records the access.
"""

import datetime

from core.id_numbers import mask as mask_id_number  # noqa: F401  (re-exported)

MASK = "***"


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else MASK


def mask_account(account: str) -> str:
    """6228480402564890018 -> ************0018."""
    if not account:
        return ""
    return "*" * max(len(account) - 4, 4) + account[-4:]


# The fields whose values a role sees masked, or not at all: named once, for every door that
# could read them without showing them (the admin's filters, search and sorting,
# core/admin.py). A name counts wherever it appears: on Household and Member, on their
# history tables that copy the columns, and on any other model that keeps one (a signal's ID
# number, a partner's contact phone).
SENSITIVE_FIELDS = frozenset(
    {
        "phone",
        "bank_account",
        "contact_phone",
        "health",
        "health_note",
        "disability",
        "birth_date",
    }
)
# id_number_encrypted, id_number_hash, id_number_masked, and any column named after the number.
SENSITIVE_PREFIXES = ("id_number",)


def names_sensitive_field(path: str) -> bool:
    """Whether a lookup, search or ordering path names a sensitive field anywhere along it:
    `phone__startswith`, `household__phone`, `members__health`, `-birth_date`, `^phone`."""
    parts = path.lstrip("-=^@").split("__")
    return any(part in SENSITIVE_FIELDS or part.startswith(SENSITIVE_PREFIXES) for part in parts)


def age_this_year(birth_date: datetime.date, *, today: datetime.date) -> int:
    """The age a person reaches in `today`'s calendar year: the year minus the birth year.

    Not the age to the day: that changes on the birthday, so whoever watched it change would learn
    the birth date, the 8 digits the ID mask hides. This one changes on 1 January for everyone and
    tells no more than the birth year. (It is one more than the age to the day until the birthday.)
    """
    return today.year - birth_date.year
