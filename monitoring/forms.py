import json
import uuid

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import BLANK_CHOICE, data_select
from monitoring.messages import message_kinds
from monitoring.models import (
    AREA_KINDS,
    BUSINESS_INCOME_HELP,
    LOWEST_BUSINESS_INCOME,
    EventKind,
    Signal,
    SignalKind,
    VerificationResult,
)
from monitoring.services.signals import DeskAction
from monitoring.services.visits import (
    CHECK_FIELDS,
    FUTURE_VISIT,
    INCOME_FIELDS,
    MAX_EVENTS,
    SPENDING_FIELDS,
    EventInput,
)

MONEY_INPUT = {"inputmode": "decimal", "min": "0", "step": "0.01", "class": "money"}
YES_NO = [(True, _("Yes")), (False, _("No"))]

# Plain words for a village worker, not Django's "Ensure that there are no more than 12 digits".
REQUIRED = _("Please fill this in.")
MONEY_ERRORS = {
    "required": _("Please fill this in (0 if there was none)."),
    "invalid": _("Enter an amount in figures, such as 1200 or 1200.50."),
    "max_digits": _("The amount is too large: at most 10 digits before the decimal point."),
    "max_whole_digits": _("The amount is too large: at most 10 digits before the decimal point."),
    "max_decimal_places": _("At most two digits after the decimal point (fen)."),
    "min_value": _("An amount cannot be negative."),
}


def _money(label, *, min_value=0, help_text=""):
    attrs = {**MONEY_INPUT, "min": str(min_value)}
    errors = dict(MONEY_ERRORS)
    if min_value < 0:
        # A phone's decimal keypad has no minus sign: let the phone show its number keyboard.
        del attrs["inputmode"]
        errors["min_value"] = _("The loss is too large to be right.")
    return forms.DecimalField(
        label=label,
        min_value=min_value,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        error_messages=errors,
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
        label=_("Visit date"),
        error_messages={"invalid": _("Enter a date such as 2026-12-02.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    household_size = forms.IntegerField(
        label=_("People living in the household"),
        min_value=1,
        max_value=30,
        error_messages={
            "invalid": _("Enter a whole number of people."),
            "min_value": _("At least 1 person."),
            "max_value": _("At most 30 people."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count"}),
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

    def __init__(self, *args, household=None, last=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.last = last
        self.initial.setdefault("client_uuid", uuid.uuid4())
        self.initial.setdefault("visited_on", timezone.localdate())
        if household is not None:
            size = household.income_sharers or (last.household_size if last else None)
            self.initial.setdefault("household_size", size)
        self.visit_field_names = INCOME_FIELDS + SPENDING_FIELDS + CHECK_FIELDS
        for field in self.fields.values():
            if (
                field.error_messages.get("required")
                == forms.Field.default_error_messages["required"]
            ):
                field.error_messages["required"] = REQUIRED

    def clean_visited_on(self):
        # Told with the form's other errors, not on the next try: the service checks it again
        # for every door, with the registration date it alone knows.
        visited_on = self.cleaned_data["visited_on"]
        if visited_on > timezone.localdate():
            raise forms.ValidationError(FUTURE_VISIT)
        return visited_on

    def sections(self) -> list[dict]:
        """The folding sections of the page: each one's fields with the last visit's figure
        beside them, and what "same as last time" copies into it (as JSON, for the button)."""
        copies = visit_copy_data(self.last)
        sections = []
        for key, legend, names in VISIT_SECTIONS:
            rows = [
                {
                    "field": self[name],
                    # The yes/no checks are copied by the button, not spelled out under each one.
                    "previous": None
                    if self.last is None or name in CHECK_FIELDS
                    else getattr(self.last, name, None),
                    "money": name not in CHECK_FIELDS,
                }
                for name in names
            ]
            copy = json.dumps(copies[key]) if key in copies else ""
            sections.append({"key": key, "legend": legend, "rows": rows, "copy": copy})
        return sections


VISIT_SECTIONS = (
    ("income", _("Income of the last 12 months (yuan)"), INCOME_FIELDS),
    ("spending", _("Compliant out-of-pocket rigid spending (yuan)"), SPENDING_FIELDS),
    ("checks", _("The basic guarantees"), CHECK_FIELDS),
)


def visit_copy_data(last) -> dict[str, dict[str, str]]:
    """What "same as last time" puts in each section: the last visit's figures as the form
    writes them, 0 for a figure the last visit did not have, so nothing is left to retype."""
    if last is None:
        return {}
    data: dict[str, dict[str, str]] = {}
    for key, _legend, names in VISIT_SECTIONS:
        values = {}
        for name in names:
            value = getattr(last, name, None)
            if name in CHECK_FIELDS:
                values[name] = "False" if value is False else "True"
            else:
                values[name] = "0" if value is None else f"{value:f}"
        data[key] = values
    return data


def _form_errors(form: forms.Form) -> list[dict]:
    summary = [{"id": None, "label": "", "message": error} for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            summary.append({"id": field.auto_id, "label": field.label, "message": error})
    return summary


def visit_error_summary(form: forms.Form, events, *more: forms.Form) -> list[dict]:
    """Every error of a refused visit, in the page's order, each with the id of the field it is
    about (None for the form as a whole), for the summary at the top of the page."""
    summary = _form_errors(form)
    for error in events.non_form_errors():
        summary.append({"id": None, "label": "", "message": error})
    for number, event in enumerate(events.forms, start=1):
        for field in event:
            for error in field.errors:
                label = _("Event %(number)d · %(field)s") % {
                    "number": number,
                    "field": field.label,
                }
                summary.append({"id": field.auto_id, "label": label, "message": error})
    for other in more:
        summary += _form_errors(other)
    return summary


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"), choices=[BLANK_CHOICE, *EventKind.choices], required=False
    )
    member = forms.TypedChoiceField(
        label=_("Who"), coerce=int, required=False, empty_value=None, widget=data_select()
    )
    occurred_on = forms.DateField(
        label=_("When"),
        required=False,
        error_messages={"invalid": _("Enter a date such as 2026-12-02.")},
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


class BaseEventFormSet(forms.BaseFormSet):
    # Django fills in %(num)d with max_num.
    default_error_messages = {"too_many_forms": _("A visit records at most %(num)d events.")}


# absolute_max bounds the forms built from a forged TOTAL_FORMS (Django's default is max_num +
# 1,000); validate_max refuses the forgery instead of quietly cutting it to the first rows.
EventFormSet = forms.formset_factory(
    EventForm,
    formset=BaseEventFormSet,
    extra=2,
    max_num=MAX_EVENTS,
    absolute_max=MAX_EVENTS,
    validate_max=True,
)


class SelfReportForm(forms.Form):
    report = forms.CharField(
        label=_("What hardship does the household report?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, widget=data_select())
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


class VerifyForm(forms.Form):
    """The home verification (入户核查): result, what was found, optionally the visit it was on."""

    result = forms.ChoiceField(
        label=_("Result"),
        choices=VerificationResult.choices,
        widget=forms.RadioSelect(attrs={"class": "choice-row"}),
    )
    findings = forms.CharField(
        label=_("What was found"),
        max_length=2000,
        required=False,
        help_text=_("Required when the warning is not found entirely true."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visit = forms.TypedChoiceField(
        label=_("On the visit"), required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, visits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].choices = [("", _("Not on a recorded visit"))] + [
            (visit.pk, _("Visit of %(date)s") % {"date": date_format(visit.visited_on)})
            for visit in visits
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("result") not in (None, VerificationResult.TRUE)
            and not (data.get("findings") or "").strip()
        ):
            self.add_error(
                "findings", _("Say what was found: the warning was not found entirely true.")
            )
        return data


class BulkAlertForm(forms.Form):
    """The warning queue's action bar: the ticked rows ("id:version") and one action."""

    alerts = forms.MultipleChoiceField(label=_("Ticked warnings"), required=True)
    action = forms.ChoiceField(
        label=_("Action"), choices=[("assign", _("Assign")), ("dismiss", _("Dismiss"))]
    )
    assignee = forms.TypedChoiceField(
        label=_("Assign to"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=data_select(),
        error_messages={
            "invalid_choice": _("This colleague cannot be chosen here: choose another one.")
        },
    )
    reason = forms.CharField(label=_("Reason for dismissal"), max_length=500, required=False)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Choose a colleague"))] + [
            (user.pk, f"{user.display_name} · {user.get_role_display()}") for user in colleagues
        ]
        # Any "id:version" pair is a choice; the service decides which may move.
        self.fields["alerts"].valid_value = lambda value: bool(_pair(value))

    def clean_alerts(self):
        return [_pair(value) for value in self.cleaned_data["alerts"]]

    def clean(self):
        data = super().clean()
        if (
            data.get("action") == "assign"
            and not data.get("assignee")
            and "assignee" not in self.errors  # a refused colleague says so once
        ):
            self.add_error("assignee", _("Choose a colleague to assign the warnings to."))
        if data.get("action") == "dismiss" and len((data.get("reason") or "").strip()) < 2:
            self.add_error("reason", _("Say why the warnings are dismissed."))
        return data


def _pair(value: str) -> tuple[int, int] | None:
    alert_id, _sep, version = str(value).partition(":")
    if not (alert_id.isascii() and alert_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(alert_id) > 18 or len(version) > 9:
        return None
    return int(alert_id), int(version)


class SavedFilterForm(forms.Form):
    name = forms.CharField(
        label=_("Name of these filters"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Older than 30 days, unassigned")}),
    )
    query = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)


class SignalResolveForm(forms.Form):
    """The signal desk, one of its three answers to a signal waiting for review: link it to a
    registered household, register its person in one (with a MemberForm beside this form), or
    close it with a reason."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in DeskAction.choices], widget=forms.HiddenInput
    )
    household_number = forms.CharField(
        label=_("Household number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[BLANK_CHOICE, *Signal.DismissReason.choices],
        required=False,
    )
    resolution = forms.CharField(
        label=_("Note"),
        help_text=_("For your region's reviewers; the department reads only the reason."),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignalLinkForm(SignalResolveForm):
    """Link, or register the person in: the household and a note."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]


class SignalDismissForm(SignalResolveForm):
    """Close: the reason its sender reads back, and a note for the region."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["household_number"]


DESK_FORMS: dict[str, type[SignalResolveForm]] = {
    DeskAction.LINK: SignalLinkForm,
    DeskAction.REGISTER: SignalLinkForm,
    DeskAction.DISMISS: SignalDismissForm,
}


DISMISS_REASON_MAX = 500


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the warning dismissed?"),
        max_length=DISMISS_REASON_MAX,
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


class ScreeningForm(forms.Form):
    """A village worker's answer for one household of an area event: one button per answer."""

    status = forms.ChoiceField(
        label=_("Screening result"),
        choices=[
            ("affected", _("Affected")),
            ("not_affected", _("Not affected")),
        ],
    )
    note = forms.CharField(
        label=_("What was found"),
        max_length=500,
        required=False,
        widget=forms.TextInput(
            attrs={"aria-label": _("What was found"), "placeholder": _("What was found")}
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AreaEventCloseForm(forms.Form):
    note = forms.CharField(
        label=_("How did the screening end?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AreaEventOpenForm(forms.Form):
    """A cadre opens an area event by hand on an area of their region."""

    region_code = forms.CharField(
        label=_("Area code"),
        max_length=12,
        help_text=_("The 12-digit code of the township or village hit, such as 620423100000."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(kind, label) for kind, label in SignalKind.choices if kind in AREA_KINDS],
    )
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
