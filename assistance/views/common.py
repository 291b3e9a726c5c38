"""What the assistance pages share."""

from django.core.exceptions import ValidationError

from accounts.selectors import field_staff_covering
from core.errors import EditConflict
from core.forms import add_service_errors

PAGE_SIZE = 50


def attempt(form, action) -> bool:
    """Run a service for a valid form; its errors land on the form. True when it succeeded.

    A PermissionDenied is not caught: the user gets the 403 page, as for any page they may
    not open."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
    except EditConflict as conflict:
        add_service_errors(form, conflict)
    else:
        return True
    return False


def staff_for(household):
    """Who may be named responsible for the household's case or measure."""
    return field_staff_covering(household.village_id)
