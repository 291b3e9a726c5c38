"""Our part of the password policy; Django's own validators do length, common and numeric
passwords (AUTH_PASSWORD_VALIDATORS in config/settings.py)."""

from django.conf import settings
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
