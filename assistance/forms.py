from typing import TypedDict

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.models import (
    CaseCategory,
    CaseOrigin,
    CivilAffairsDecision,
    CivilAffairsKind,
    DayUnit,
    Decision,
    Department,
    InfoCheckResult,
    MeasureKind,
    MeasureStatus,
    OfferKind,
    Partner,
    PartnerKind,
    RiskType,
    SocialAssistance,
    StepKind,
    step_decision_choices,
)
from core.forms import BLANK_CHOICE, data_select
from core.masking import mask_phone
from households.forms import SensitiveCharField, SensitiveFieldsMixin


class DateWidget(TypedDict):
    widget: forms.Widget


DATE: DateWidget = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MONEY_INPUT = {"inputmode": "decimal", "min": "0", "step": "0.01", "class": "money"}


def _money(label, required=False):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )


def _people(users) -> list[tuple]:
    return [BLANK_CHOICE] + [
        (user.pk, f"{user.display_name} · {user.get_role_display()}") for user in users
    ]


class CaseDescriptionForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CaseCategory.choices)
    risk_types = forms.MultipleChoiceField(
        label=_("Risk types"),
        choices=RiskType.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )
    situation = forms.CharField(
        label=_("Situation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, what the household lives on, what it needs."),
    )
    social_assistance = forms.ChoiceField(
        label=_("Also a social-assistance case"),
        choices=SocialAssistance.choices,
        required=False,
        help_text=_("Filled from the members' dibao and tekun status; correct it if needed."),
    )
    responsible = forms.TypedChoiceField(
        label=_("Responsible cadre"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=data_select(),
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = _people(staff)


class CaseProposeForm(CaseDescriptionForm):
    origin = forms.ChoiceField(label=_("The proposal comes from"), choices=CaseOrigin.choices)
    household = forms.IntegerField(widget=forms.HiddenInput)
    alert = forms.IntegerField(widget=forms.HiddenInput, required=False)
    civil_affairs = forms.ChoiceField(
        label=_("Refer to civil affairs for"),
        choices=[("", _("No referral")), *CivilAffairsKind.choices],
        required=False,
        help_text=_("Civil affairs decides; record its decision on the case when it comes."),
    )
    field_order = ["origin"]

    def __init__(self, *args, from_alert: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if from_alert:
            self.fields["origin"].widget = forms.HiddenInput()
        else:
            origin = self.fields["origin"]
            assert isinstance(origin, forms.ChoiceField)
            origin.choices = [
                (value, label) for value, label in CaseOrigin.choices if value != CaseOrigin.ALERT
            ]


class CaseEditForm(CaseDescriptionForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "yes-no"}),
        initial=Decision.APPROVED,
    )
    info_check_result = forms.ChoiceField(
        label=_("Result of the check"), choices=InfoCheckResult.choices, required=False
    )
    objections = forms.CharField(
        label=_("Objections received"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who objected, what they said and how it was settled; empty if none."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting: the reason is kept with the case."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The step's own words: consent is 同意 / 不同意, a deliberation 通过 / 不通过.
        self.fields["decision"].choices = step_decision_choices(kind)  # type: ignore[attr-defined]
        if kind != StepKind.INFO_CHECK:
            del self.fields["info_check_result"]
        if kind != StepKind.NOTICE:
            del self.fields["objections"]


class NoticePostForm(forms.Form):
    starts_on = forms.DateField(label=_("Posted on"), **DATE)
    ends_on = forms.DateField(
        label=_("Objections until"),
        help_text=_("At least 5 days, both ends counted."),
        **DATE,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CivilAffairsReferForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Refer to civil affairs for"), choices=CivilAffairsKind.choices
    )


class CivilAffairsDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision of civil affairs"),
        choices=[
            (CivilAffairsDecision.APPROVED, _("Approved")),
            (CivilAffairsDecision.REJECTED, _("Not approved")),
        ],
        widget=forms.RadioSelect(attrs={"class": "yes-no"}),
        initial=CivilAffairsDecision.APPROVED,
    )
    decided_on = forms.DateField(label=_("Date of the decision"), **DATE)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
        help_text=_("A month's payment for dibao and tekun; the sum paid for temporary relief."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("Civil affairs' document number; no ID or phone numbers."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class EliminationForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeasureKind.choices)
    title = forms.CharField(label=_("Measure"), max_length=120)
    partner = forms.TypedChoiceField(
        label=_("Provided by"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=data_select(),
    )
    offer = forms.TypedChoiceField(
        label=_("From the offer"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=data_select(),
    )
    responsible = forms.TypedChoiceField(
        label=_("Responsible cadre"), coerce=int, widget=data_select()
    )
    members = forms.TypedMultipleChoiceField(
        label=_("For members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices", "translate": "no"}),
    )
    planned_start = forms.DateField(label=_("Planned start"), **DATE)
    planned_end = forms.DateField(label=_("Planned end"), required=False, **DATE)
    planned_amount = _money(_("Planned amount (yuan)"))
    in_kind = forms.CharField(
        label=_("In kind"),
        max_length=200,
        required=False,
        help_text=_("Goods or services instead of money, with quantities."),
    )
    continues_after_case = forms.BooleanField(
        label=_("Continues after the case ends (loans, posts, schooling aid)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partners=(), offers=(), staff=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [BLANK_CHOICE] + [(p.pk, p.name) for p in partners]
        self.fields["offer"].choices = [BLANK_CHOICE] + [
            (o.pk, f"{o.partner.name}: {o.title}") for o in offers
        ]
        self.fields["responsible"].choices = _people(staff)
        self.fields["members"].choices = [(m.pk, m.name) for m in members]


class DeliveryForm(forms.Form):
    """Offers only the statuses the measure may go to from where it is (`allowed`)."""

    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    actual_start = forms.DateField(label=_("Actual start"), required=False, **DATE)
    actual_end = forms.DateField(label=_("Actual end"), required=False, **DATE)
    delivered_amount = _money(_("Delivered amount (yuan)"))
    result = forms.CharField(
        label=_("Result seen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changed for the household; required when delivered or stopped."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, allowed: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            status = self.fields["status"]
            assert isinstance(status, forms.ChoiceField)
            status.choices = [(v, label) for v, label in MeasureStatus.choices if v in allowed]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why your organisation cannot take it on"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NeedForm(forms.Form):
    """A need for the board: partners read it, so it names the village and the need only."""

    kind = forms.ChoiceField(label=_("Kind of need"), choices=MeasureKind.choices)
    quantity = forms.CharField(
        label=_("Quantity"), max_length=60, help_text=_("For example: 2 training seats, 1 ton.")
    )
    needed_by = forms.DateField(label=_("Needed by"), **DATE)
    description = forms.CharField(
        label=_("What is needed"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Partners read this: no names, ID or phone numbers."),
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PartnerForm(SensitiveFieldsMixin, forms.Form):
    """A partner's contact phone is often a person's own mobile: like a household's phone, the
    edit form never holds it (households/forms.py). It shows it masked beside an empty input;
    left empty, the stored number is kept. A partner must have a contact phone, so there is no
    box to remove it: a new number replaces it."""

    SENSITIVE = ("contact_phone",)

    name = forms.CharField(label=_("Name of the partner"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    department = forms.ChoiceField(
        label=_("Department"),
        choices=[BLANK_CHOICE, *Department.choices],
        required=False,
        help_text=_("For a government department only."),
    )
    area = forms.ChoiceField(label=_("Area served"), widget=data_select())
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = SensitiveCharField(
        label=_("Contact phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    description = forms.CharField(
        label=_("What it does"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, areas=(), instance: Partner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance or Partner()
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [(r.code, r.name) for r in areas]
        phone = self.instance.contact_phone
        self._replaceable("contact_phone", phone, mask_phone(phone), clearable=False)

    def service_fields(self) -> dict:
        """The form's values for PartnerData, the stored phone when none was typed."""
        return self.cleaned_data | self.sensitive_values()


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is offered"), choices=OfferKind.choices)
    measure_kind = forms.ChoiceField(label=_("Kind of measure"), choices=MeasureKind.choices)
    title = forms.CharField(label=_("Offer"), max_length=120)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    area = forms.ChoiceField(label=_("Area"), widget=data_select())
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=0, max_value=2_147_483_647, required=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    amount = _money(_("Amount (yuan)"))
    available_from = forms.DateField(label=_("Available from"), **DATE)
    available_until = forms.DateField(label=_("Available until"), required=False, **DATE)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [(r.code, r.name) for r in areas]


class DelegationForm(forms.Form):
    """Who takes which steps where, from when until when, and why."""

    delegate = forms.TypedChoiceField(label=_("Delegate"), coerce=int, widget=data_select())
    permission = forms.ChoiceField(label=_("Steps"))
    region = forms.ChoiceField(label=_("Village or township"), widget=data_select())
    starts_on = forms.DateField(label=_("From"), **DATE)
    ends_on = forms.DateField(label=_("Until"), **DATE)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("For example: the village has no village worker until a new one is appointed."),
    )

    def __init__(self, *args, delegates=(), permissions=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].choices = [BLANK_CHOICE, *delegates]
        self.fields["permission"].choices = list(permissions)
        self.fields["region"].choices = [BLANK_CHOICE, *regions]


class CaseCommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Partners with a measure on this case read the conversation: write no ID number, "
            "phone, bank account or health details. Write @name or @username to ask someone."
        ),
    )


class ReferralPolicyForm(forms.Form):
    """How long the county's partners have to answer a referral; the service checks the range."""

    days = forms.IntegerField(label=_("Days to answer a referral"))
    unit = forms.ChoiceField(label=_("Counted in"), choices=DayUnit.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RosterActionForm(forms.Form):
    """What a cadre does about a line of civil affairs' roster
    (assistance/services/civil_affairs_roster.py)."""

    ACTIONS = (
        ("note", _("Note a reason")),
        ("case", _("Propose a case")),
        ("signal", _("Raise a civil affairs signal")),
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    note = forms.CharField(
        label=_("Reason or note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
