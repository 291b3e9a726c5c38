import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from audit.selectors import EXPORT, FAILURE, LOOKUP, SIGN_IN, UNMASK, WRITE, AuditFilters

# The trail starts with the system; a date far outside these years is a typing error (and the
# day after 9999-12-31, the end of the range, does not exist).
_FIRST_DAY, _LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
_OUT_OF_RANGE = _("Enter a date from 2000-01-01 to 2099-12-31.")
DATE_BOUNDS = [
    MinValueValidator(_FIRST_DAY, message=_OUT_OF_RANGE),
    MaxValueValidator(_LAST_DAY, message=_OUT_OF_RANGE),
]


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("All kinds")),
            (WRITE, _("Changes")),
            (UNMASK, _("Unmaskings")),
            (LOOKUP, _("ID number look-ups")),
            (EXPORT, _("Exports and prints")),
            (SIGN_IN, _("Sign-ins")),
            (FAILURE, _("Failed sign-ins")),
        ],
    )
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From"), required=False, validators=DATE_BOUNDS)
    date_to = forms.DateField(label=_("To"), required=False, validators=DATE_BOUNDS)
    household = forms.RegexField(
        label=_("Household number"),
        required=False,
        regex=r"^\d{12,20}$",
        error_messages={"invalid": _("A household number is 12 to 20 digits.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            kind=data.get("kind") or "",
            username=data.get("user") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            household_number=data.get("household") or "",
        )
