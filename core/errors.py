from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    """Someone else changed the record since this edit started; nothing was saved."""

    default_message = _(
        "Someone else changed this record while you were editing it. "
        "Reload it, check their changes and save again."
    )

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class IdLookupLimitReached(ValidationError):
    """A user asked the registry about more ID numbers this hour than they may; nothing was
    searched. A ValidationError on the ID number for the pages; a 429 from the API."""

    default_message = _(
        "You have looked up too many ID numbers in the last hour. Try again later, or ask your "
        "township to look the person up."
    )

    def __init__(self):
        self.message = self.default_message
        super().__init__({"id_number": [self.default_message]}, code="too_many_lookups")


def save_or_conflict(instance: models.Model) -> None:
    """Save a row that a select_for_update found missing: when another edit inserted the same
    row first (there was nothing to lock), its unique constraint answers, and the edit gets an
    EditConflict (a 409, "reload and save again") rather than an IntegrityError (a 500)."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise EditConflict() from None
