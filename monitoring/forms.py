import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BLANK_CHOICE
from monitoring.messages import message_kinds
from monitoring.models import BUSINESS_INCOME_HELP, LOWEST_BUSINESS_INCOME, EventKind
from monitoring.services.visits import (
    CHECK_FIELDS,
    INCOME_FIELDS,
    MAX_EVENTS,
    SPENDING_FIELDS,
    EventInput,
)

MONEY_INPUT = {"inputmode": "decimal", "min": "0", "step": "0.01", "class": "money"}
YES_NO = [(True, _("Yes")), (False, _("No"))]


def _money(label, *, min_value=0, help_text=""):
    attrs = {**MONEY_INPUT, "min": str(min_value)}
    if min_value < 0:
        # A phone's decimal keypad has no minus sign: let the phone show its number keyboard.
        del attrs["inputmode"]
    return forms.DecimalField(
        label=label,
        min_value=min_value,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs=attrs),
    )


def _check(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect(attrs={"class": "yes-no"}),
        initial=True,
    )


class VisitForm(forms.Form):
    """The phone page's form. The client id is made when the form is first shown, so a form
    sent twice (a double tap, a retry on a bad network) records one visit."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    visited_on = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    household_size = forms.IntegerField(
        label=_("People living in the household"),
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    wage_income = _money(_("Wages (12 months)"))
    business_income = _money(
        _("Production and business, net (12 months)"),
        min_value=LOWEST_BUSINESS_INCOME,
        help_text=BUSINESS_INCOME_HELP,
    )
    property_income = _money(_("Property income (12 months)"))
    transfer_income = _money(_("Transfers: pensions, subsidies, allowances (12 months)"))
    medical_spending = _money(_("Out-of-pocket medical spending"))
    education_spending = _money(_("Out-of-pocket education spending"))
    disaster_loss = _money(_("Disaster losses"))
    food_clothing_ok = _check(_("Enough food and clothing"))
    compulsory_education_ok = _check(_("Children in compulsory education are in school"))
    basic_medical_ok = _check(_("Basic medical care ensured"))
    safe_housing_ok = _check(_("Housing is safe"))
    safe_water_ok = _check(_("Drinking water is safe"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("client_uuid", uuid.uuid4())
        self.initial.setdefault("visited_on", timezone.localdate())
        if household is not None:
            self.initial.setdefault("household_size", household.income_sharers or None)
        self.visit_field_names = INCOME_FIELDS + SPENDING_FIELDS + CHECK_FIELDS


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"), choices=[BLANK_CHOICE, *EventKind.choices], required=False
    )
    member = forms.TypedChoiceField(label=_("Who"), coerce=int, required=False, empty_value=None)
    occurred_on = forms.DateField(
        label=_("When"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("The whole household"))] + [
            (m.pk, m.name) for m in members
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") and not data.get("occurred_on"):
            self.add_error("occurred_on", _("When did it happen?"))
        return data

    def as_event(self) -> EventInput | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return EventInput(
            kind=data["kind"], occurred_on=data["occurred_on"], member_id=data.get("member")
        )


# absolute_max bounds the forms built from a forged TOTAL_FORMS (Django's default is max_num +
# 1,000); validate_max refuses the forgery instead of quietly cutting it to the first rows.
EventFormSet = forms.formset_factory(
    EventForm, extra=2, max_num=MAX_EVENTS, absolute_max=MAX_EVENTS, validate_max=True
)


class SelfReportForm(forms.Form):
    report = forms.CharField(
        label=_("What hardship does the household report?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            (user.pk, f"{user.display_name} · {user.get_role_display()}") for user in colleagues
        ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SignalResolveForm(forms.Form):
    """The signal desk: match a signal waiting for review to a household, or close it."""

    # One form per row of the signal list: labelled by aria-label, rendered with auto_id=False,
    # so that the rows do not repeat an element id.
    household_number = forms.CharField(
        label=_("Household number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"aria-label": _("Household number"), "placeholder": _("Household number")}
        ),
    )
    resolution = forms.CharField(
        label=_("Note, or why the signal is closed"),
        max_length=500,
        required=False,
        widget=forms.TextInput(
            attrs={
                "aria-label": _("Note, or why the signal is closed"),
                "placeholder": _("Note, or why the signal is closed"),
            }
        ),
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the warning dismissed?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class WebhookForm(forms.Form):
    """A county's new webhook; the address is checked by the service (https only)."""

    name = forms.CharField(label=_("Webhook name"), max_length=100)
    # A plain text field: the service says why an address is refused (not https), in one place.
    url = forms.CharField(label=_("Address (https)"), max_length=500)
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to have one made; it is shown once, when the webhook is saved."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of notification"),
        required=False,
        help_text=_("None chosen: every kind."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kinds = self.fields["kinds"]
        assert isinstance(kinds, forms.MultipleChoiceField)
        kinds.choices = message_kinds()
