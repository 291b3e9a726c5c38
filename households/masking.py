"""How sensitive fields look to someone who has not unmasked them.

Masking is the default for every role; a role with the unmask permission sees the full values
only through `services.sensitive_unmask`, which records the access.
"""

import datetime

from households.id_numbers import mask as mask_id_number  # noqa: F401  (re-exported)

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


def age_this_year(birth_date: datetime.date, *, today: datetime.date) -> int:
    """The age a person reaches in `today`'s calendar year: the year minus the birth year.

    Not the age to the day: that changes on the birthday, so whoever watched it change would learn
    the birth date, the 8 digits the ID mask hides. This one changes on 1 January for everyone and
    tells no more than the birth year. (It is one more than the age to the day until the birthday.)
    """
    return today.year - birth_date.year
