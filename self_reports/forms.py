import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BLANK_CHOICE
from core.id_numbers import IdNumber, check_id_number
from core.validators import plain_text
from self_reports.models import HardshipType

MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _digits(value: str) -> str:
    # Full-width digits from a Chinese input method become ASCII; spaces between groups go.
    return "".join(unicodedata.normalize("NFKC", plain_text(value or "")).split())


class PhoneField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Mobile phone"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value):
        phone = _digits(super().clean(value))
        if not MOBILE.fullmatch(phone):
            raise ValidationError(
                _("Enter a mobile phone number of 11 digits, starting with 1."),
                code="invalid_mobile",
            )
        return phone


class UnechoedTextInput(forms.TextInput):
    """A text input that never writes back what was typed: a refused report asks for the ID
    number again rather than carrying it in the page."""

    def format_value(self, value):
        return None


class CodeRequestForm(forms.Form):
    phone = PhoneField(help_text=_("A code will be sent to this phone by text message."))


class ReportForm(forms.Form):
    # The phone is not a field: the code was sent to the one kept in the applicant's session
    # (views.public_report_code), so the page never carries the number back.
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )
    name = forms.CharField(label=_("Your name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    hardship = forms.ChoiceField(
        label=_("Kind of hardship"), choices=[BLANK_CHOICE, *HardshipType.choices]
    )
    account = forms.CharField(
        label=_("What happened"),
        max_length=500,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences: what happened, when, and what the family needs."),
    )
    consent = forms.BooleanField(
        label=_("I have read the commitment and authorisation above and agree to it."),
        label_suffix="",
        error_messages={"required": _("The report can only be checked with your consent.")},
    )

    def clean_code(self) -> str:
        code = _digits(self.cleaned_data["code"])
        if not code.isdigit():
            raise ValidationError(_("The code is six digits."), code="code_format")
        return code

    def clean_name(self) -> str:
        name = plain_text(self.cleaned_data["name"])
        if len(name) < 2:
            raise ValidationError(_("Enter your full name."), code="name")
        return name

    def clean_id_number(self) -> IdNumber:
        return check_id_number(self.cleaned_data["id_number"], today=timezone.localdate())

    def clean_account(self) -> str:
        return plain_text(self.cleaned_data["account"])


class StatusForm(forms.Form):
    query_code = forms.CharField(
        label=_("Query code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    household_number = forms.CharField(
        label=_("Household number"),
        max_length=20,
        required=False,
        help_text=_("The household of the village this report speaks of, if it is registered."),
    )


class DecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What was decided"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
