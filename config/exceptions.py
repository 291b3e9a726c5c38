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
