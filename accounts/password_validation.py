"""Our part of the password policy; Django's own validators do length, similarity to the user,
common and numeric passwords (AUTH_PASSWORD_VALIDATORS in config/settings.py). Ours: how many
kinds of character, common passwords as they are decorated in China, and the username inside."""

import functools
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def _is_symbol(character: str) -> bool:
    # Anything not an ASCII-style letter or digit: punctuation, spaces, Chinese characters.
    return not (character.islower() or character.isupper() or character.isdigit())


CHARACTER_CLASSES = (str.islower, str.isupper, str.isdigit, _is_symbol)


class CharacterClassValidator:
    """A password mixes at least `min_classes` of four kinds of character: lowercase letters,
    uppercase letters, digits and symbols. Without an option it follows
    settings.PASSWORD_CHARACTER_CLASSES (DIXIAN_PASSWORD_CHARACTER_CLASSES)."""

    def __init__(self, min_classes: int | None = None) -> None:
        self._min_classes = min_classes

    @property
    def min_classes(self) -> int:
        wanted = self._min_classes
        if wanted is None:
            wanted = settings.PASSWORD_CHARACTER_CLASSES
        return max(0, min(wanted, len(CHARACTER_CLASSES)))

    def validate(self, password: str, user=None) -> None:
        present = sum(
            any(is_of_class(character) for character in password)
            for is_of_class in CHARACTER_CLASSES
        )
        if present < self.min_classes:
            raise ValidationError(
                gettext(
                    "This password mixes too few kinds of character: use at least %(count)d of "
                    "the four kinds (lowercase letters, uppercase letters, digits, symbols)."
                ),
                code="password_too_few_character_classes",
                params={"count": self.min_classes},
            )

    def get_help_text(self) -> str:
        return gettext(
            "Your password must mix at least %(count)d of the four kinds of character "
            "(lowercase letters, uppercase letters, digits, symbols)."
        ) % {"count": self.min_classes}


# --- common passwords, as people in China make them ----------------------------------------------

COMMON_PASSWORDS_PATH = Path(__file__).with_name("common_passwords.txt")
# Shifted digits on a US keyboard (1qaz@WSX is 1qaz2wsx typed with shift), and leet letters.
UNSHIFTED = str.maketrans("!@#$%^&*()", "1234567890")
LEET_SPELLINGS = (
    str.maketrans("0134578@$!", "oieastbasi"),
    str.maketrans("0134578@$!", "oleastbasl"),  # 1 and ! for l (he11o)
)
YEARS_AND_DATES = re.compile(r"^(?:(?:19|20)\d\d(?:0[1-9]|1[0-2])?(?:0[1-9]|[12]\d|3[01])?)+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    """Our list (accounts/common_passwords.txt) and Django's, lower case."""
    ours = {
        line.strip()
        for line in COMMON_PASSWORDS_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    return frozenset(ours | CommonPasswordValidator().passwords)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text)


def password_variants(password: str) -> set[str]:
    """The password as a guesser would try it: lower case, shifted digits for the digit key,
    digits and symbols around a word dropped, leet undone in the word. `P@ssw0rd2026!`,
    `1qaz@WSX3edc` and `Woaini@1314` give `password`, `1qaz2wsx3edc` and `woaini`."""
    lowered = password.lower().strip()
    unshifted = lowered.translate(UNSHIFTED)
    variants = {lowered, unshifted, re.sub(r"[^a-z0-9]", "", lowered), _letters(lowered)}
    letters = [index for index, character in enumerate(lowered) if "a" <= character <= "z"]
    if letters:
        word = lowered[letters[0] : letters[-1] + 1]  # the digits and symbols outside decorate
        variants |= {_letters(word.translate(spelling)) for spelling in LEET_SPELLINGS}
    else:
        variants.add(re.sub(r"\D", "", unshifted))
    variants.discard("")
    return variants


class CommonPasswordVariantsValidator:
    """Refuses a common password, also when it is decorated as people do to pass a policy:
    `1qaz@WSX3edc`, `Woaini@5201314`, `P@ssw0rd2026!`, `Jingtai#1988`; and a password made of
    years and dates but for a few letters and symbols. Django's CommonPasswordValidator checks
    its list for the exact password only."""

    def validate(self, password: str, user=None) -> None:
        variants = password_variants(password)
        # A date with a letter or three about it (Ab-1988.08.08-2026) is a date.
        dates = len(_letters(password.lower())) <= 3 and YEARS_AND_DATES.match(
            re.sub(r"\D", "", password)
        )
        if variants & common_passwords() or dates:
            raise ValidationError(
                gettext(
                    "This password is a common password, a keyboard pattern, a name or a date, "
                    "or one of these with digits and symbols added."
                ),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return gettext(
            "Your password cannot be a common password, a keyboard pattern, a name or a date, "
            "even with digits and symbols added."
        )


class UserAttributeContainedValidator:
    """Refuses a password that contains the user's username, the name part of their e-mail
    address, or their full name. Django's UserAttributeSimilarityValidator compares the whole
    password with each: `wangfang@123456` is not similar enough to `wangfang` for it."""

    min_length = 3  # a shorter username would refuse too many innocent passwords

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        lowered = password.lower()
        squeezed = re.sub(r"[\W_]", "", lowered)
        full_name = f"{user.last_name}{user.first_name}".strip()
        attributes = [
            (user.get_username(), user._meta.get_field("username").verbose_name),
            ((user.email or "").split("@")[0], user._meta.get_field("email").verbose_name),
            (full_name, gettext("full name")),
        ]
        for value, label in attributes:
            value = (value or "").lower()
            value_squeezed = re.sub(r"[\W_]", "", value)
            long_enough = len(value_squeezed) >= self.min_length or (
                len(value_squeezed) >= 2 and not value_squeezed.isascii()
            )
            if long_enough and (value in lowered or value_squeezed in squeezed):
                raise ValidationError(
                    gettext("The password contains your %(verbose_name)s."),
                    code="password_contains_user_attribute",
                    params={"verbose_name": label},
                )

    def get_help_text(self) -> str:
        return gettext("Your password cannot contain your username, e-mail or name.")
