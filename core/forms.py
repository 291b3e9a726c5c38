"""What every door's forms share."""

from django import forms
from django.core.exceptions import ValidationError

from core.errors import EditConflict


def add_service_errors(form: forms.Form, error: ValidationError | EditConflict) -> None:
    """Put a service's refusal on the form that called it, so the page shows the form again.

    A ValidationError goes on the fields it names, and on the form as a whole for a field the
    form does not have (or for none); an edit conflict (a stale version) on the form as a whole.
    """
    if isinstance(error, EditConflict):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
