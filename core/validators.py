"""What the registry accepts as a phone, a bank account and a name, whichever door it came by.

The page, the API and the Excel import all end in the model's `full_clean` (the services call
it, and so do the import's resources), which calls `Household.clean` and `Member.clean`, which
call `clean_instance` here: one rule for every door. A phone or account that is not digits is
refused (`=cmd|' /C calc'!A0` or `=1+2` would run as a formula in a spreadsheet someone opens
later), and names lose the invisible characters that make them read other than they are stored
(a right-to-left override turns 张三‮abc into 张三cba on screen; a zero-width space makes two
spellings of one name).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE = re.compile(r"[0-9]+(?:-[0-9]+)*")  # 13893001234, 0943-6123456, 0943-6123456-801
PHONE_LENGTH = (7, 20)
# Mainland mobile numbers begin with 1 and have 11 digits, grouped or not (138-9300-1234); no
# landline begins with 1 (local numbers begin with 2 to 9, and with the area code 0), so
# "1381234" is a mobile cut short.
MOBILE = re.compile(r"1[0-9]{10}")
CUT_SHORT_MOBILE = _("A mobile number has 11 digits (13893001234).")
BANK_ACCOUNT = re.compile(r"[0-9]{8,32}")


def plain_text(value: str) -> str:
    """Without format characters (Unicode category Cf: the bidi controls U+202A–U+202E and
    U+2066–U+2069, the marks U+200E, U+200F and U+061C, the zero-width U+200B–U+200D, U+2060
    and U+FEFF, the soft hyphen) and with control characters (tabs, line breaks) as spaces."""
    if value.isprintable():
        # Printable holds neither category (Python counts Cc and Cf as unprintable): almost
        # every cell of an import, which would otherwise be looked up character by character.
        return value.strip()
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category == "Cc" else char)
    return "".join(kept).strip()


def _digits_as_typed(value: str) -> str:
    # Full-width digits from a Chinese input method become ASCII; spaces between groups go.
    return "".join(unicodedata.normalize("NFKC", plain_text(value)).split())


def check_phone(value: str) -> str:
    phone = _digits_as_typed(value)
    low, high = PHONE_LENGTH
    if phone and not (PHONE.fullmatch(phone) and low <= len(phone) <= high):
        raise ValidationError(
            _("Enter a phone number in digits; a hyphen may follow the area code (0943-6123456)."),
            code="invalid_phone",
        )
    if is_cut_short_mobile(phone):
        raise ValidationError(CUT_SHORT_MOBILE, code="cut_short_mobile")
    return phone


def is_cut_short_mobile(phone: str) -> bool:
    return phone.startswith("1") and not MOBILE.fullmatch(phone.replace("-", ""))


def check_bank_account(value: str) -> str:
    account = _digits_as_typed(value)
    if account and not BANK_ACCOUNT.fullmatch(account):
        raise ValidationError(
            _("Enter the bank account number in digits only (8 to 32 of them)."),
            code="invalid_bank_account",
        )
    return account


def _stored(instance, name: str) -> bool:
    """Whether the instance's value of `name` is the one already stored: a number stored before
    the mobile rule came holds no edit of the rest of the row up (the person may not even see
    it, masked); only a number typed now must be whole. Asked only of such a number: rare."""
    if instance.pk is None:
        return False
    rows = type(instance)._base_manager.filter(pk=instance.pk).values_list(name, flat=True)
    return rows.first() == getattr(instance, name)


def clean_instance(instance, *, text=(), phones=(), accounts=()) -> None:
    """Normalise the named fields of a model instance in place, or raise one ValidationError
    naming every field that cannot be accepted."""
    errors: dict[str, list[str]] = {}
    for name in text:
        typed = getattr(instance, name) or ""
        value = plain_text(typed)
        setattr(instance, name, value)
        field = instance._meta.get_field(name)
        # Blank as typed is the field checks' to report (they ran before); blank once the
        # invisible characters are gone is ours.
        if typed and not value and not field.blank:
            errors[name] = [field.error_messages["blank"]]
    checks = [(name, check_phone) for name in phones]
    checks += [(name, check_bank_account) for name in accounts]
    for name, check in checks:
        try:
            setattr(instance, name, check(getattr(instance, name) or ""))
        except ValidationError as error:
            if not (error.code == "cut_short_mobile" and _stored(instance, name)):
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
