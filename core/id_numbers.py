"""National ID numbers (居民身份证号码): checking, encryption, look-up hash and masking.

Checking uses python-stdnum's `cn.ric` pieces rather than its `is_valid`: stdnum rejects a number
whose county code was created after the holder's birth year, but counties are renamed and re-coded
all the time and people keep the number they were given, so such a number is accepted with a
warning. What is refused: a wrong length or character, a wrong check digit, an impossible or
future birth date, and an area code that never existed.
"""

import datetime
import hashlib
import hmac
from dataclasses import dataclass, field
from functools import cache, lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.util import isdigits

EARLIEST_BIRTH_YEAR = 1890


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    sex: str  # "male" or "female", from the parity of the sequence code
    warnings: list[str] = field(default_factory=list)

    @property
    def masked(self) -> str:
        return mask(self.number)


# Bounded: a file may hold any six digits, and a server process lives for days.
@lru_cache(maxsize=4096)
def _area_periods(area_code: str) -> tuple[tuple[int | None, int | None], ...] | None:
    """The periods in which an area code was assigned, or None if it never was. Kept per code:
    a county's file repeats a few codes thousands of times, and each look-up walks stdnum's
    table of every county ever."""
    found = numdb.get("cn/loc").info(area_code)
    info = {key: value for _, props in found for key, value in props.items()}
    if "county" not in info:
        return None
    periods: list[tuple[int | None, int | None]] = []
    for county in info["county"].split(","):
        if not county.startswith("["):
            periods.append((None, None))
            continue
        start, end = county[1:].split("]")[0].split("-")
        periods.append((int(start) if start else None, int(end) if end else None))
    return tuple(periods)


def check_id_number(raw: str, *, today: datetime.date) -> IdNumber:
    """Check an ID number and return it normalised, or raise a ValidationError saying why."""
    number = ric.compact(raw or "")
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(length)d."),
            code="id_length",
            params={"length": len(number)},
        )
    if not isdigits(number[:-1]) or not (number[-1].isdigit() or number[-1] == "X"):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_format"
        )
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(
            _("The check digit of this ID number is wrong: please check it was typed correctly."),
            code="id_checksum",
        )
    try:
        birth_date = ric.get_birth_date(number)
    except Exception as error:
        raise ValidationError(
            _("The birth date in this ID number does not exist."), code="id_birth_date"
        ) from error
    if birth_date > today or birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is impossible."),
            code="id_birth_date",
            params={"date": birth_date.isoformat()},
        )
    periods = _area_periods(number[:6])
    if periods is None:
        raise ValidationError(
            _("The area code %(code)s of this ID number does not exist."),
            code="id_area",
            params={"code": number[:6]},
        )
    warnings = []
    if not any(
        (start is None or birth_date.year >= start) and (end is None or birth_date.year <= end)
        for start, end in periods
    ):
        warnings.append(
            str(_("The area code %(code)s was not in use in the birth year; kept as given."))
            % {"code": number[:6]}
        )
    sex = "male" if int(number[16]) % 2 else "female"
    return IdNumber(number=number, birth_date=birth_date, sex=sex, warnings=warnings)


def mask(number: str) -> str:
    """620423199001011234 -> 620423********1234: the area and the last four stay readable."""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "*" * len(number)


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.ID_ENCRYPTION_KEYS])


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise RuntimeError("an ID number cannot be decrypted with the configured keys") from error


def lookup_hash(number: str) -> str:
    """A keyed hash: equal numbers match, and the table alone does not let one guess numbers."""
    return hmac.new(settings.ID_HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
