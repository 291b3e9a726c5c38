from django import forms
from django.utils.translation import gettext_lazy as _

from audit.selectors import EXPORT, FAILURE, LOOKUP, SIGN_IN, UNMASK, WRITE, AuditFilters


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
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
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
