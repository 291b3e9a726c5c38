"""The forms of the livelihood pages: a household's month of work (one row a member), a post
and its pay, a claim."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BLANK_CHOICE, data_select
from livelihoods.models import (
    ClaimCause,
    ClaimStatus,
    IncomeBand,
    Sector,
    SupportKind,
    WorkPlace,
    WorkStatus,
)


def date_field(label) -> forms.DateField:
    # ISO in the value: a date input shows nothing for a localised one.
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def measure_field() -> forms.TypedChoiceField:
    """The assistance measure a record is given under: one of the household's of its kind, or
    none (the service refuses any other, whatever is sent)."""
    return forms.TypedChoiceField(
        label=_("assistance measure"), coerce=int, required=False, empty_value=None
    )


def set_measure_choices(field: forms.Field, measures) -> None:
    """ "None" first, then each measure by its title and planned start (data, not translated)."""
    field.choices = [  # type: ignore[attr-defined]
        ("", _("None")),
        *((m.pk, f"{m.title} · {m.planned_start:%Y-%m-%d}") for m in measures),
    ]
    field.widget = data_select()
    field.widget.choices = field.choices  # type: ignore[attr-defined]


class MemberMonthForm(forms.Form):
    """One member's work in the month, prefixed by the member's id."""

    # Left blank: the member is not recorded this month (someone away, not known yet).
    status = forms.ChoiceField(
        label=_("work status"),
        choices=[("", _("Not recorded")), *WorkStatus.choices],
        required=False,
    )
    place = forms.ChoiceField(
        label=_("where"), choices=[BLANK_CHOICE, *WorkPlace.choices], required=False
    )
    sector = forms.ChoiceField(
        label=_("sector"), choices=[BLANK_CHOICE, *Sector.choices], required=False
    )
    employer = forms.CharField(label=_("employer"), max_length=100, required=False)
    income_band = forms.ChoiceField(
        label=_("monthly pay"), choices=[BLANK_CHOICE, *IncomeBand.choices], required=False
    )
    # The version of the month's record the form was shown with (0: none yet).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class WelfarePostForm(forms.Form):
    member = forms.TypedChoiceField(label=_("member"), coerce=int)
    title = forms.CharField(label=_("post"), max_length=100)
    employer = forms.CharField(label=_("employing department or village"), max_length=100)
    monthly_pay = forms.DecimalField(
        label=_("monthly pay (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    starts_on = date_field(_("starts on"))
    ends_on = date_field(_("ends on"))
    renewed = forms.BooleanField(label=_("renewed beyond a year"), required=False)
    measure = measure_field()

    def __init__(self, *args, members, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [BLANK_CHOICE, *((m.pk, m.name) for m in members)]
        self.fields["member"].widget.attrs["translate"] = "no"
        set_measure_choices(self.fields["measure"], measures)


class InsuranceClaimForm(forms.Form):
    insurer = forms.CharField(label=_("insurer"), max_length=100)
    cause = forms.ChoiceField(label=_("cause"), choices=ClaimCause.choices)
    claimed_on = date_field(_("claimed on"))
    amount_claimed = forms.DecimalField(
        label=_("amount claimed (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )


class PostPaymentForm(forms.Form):
    month = forms.DateField(
        label=_("month"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    amount = forms.DecimalField(
        label=_("amount (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    paid_on = date_field(_("paid on"))


class IndustrySupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SupportKind.choices)
    partner = forms.TypedChoiceField(
        label=_("linking enterprise or cooperative"), coerce=int, required=False, empty_value=None
    )
    amount = forms.DecimalField(
        label=_("amount (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    starts_on = date_field(_("starts on"))
    ends_on = forms.DateField(
        label=_("ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    measure = measure_field()
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, partners, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [BLANK_CHOICE, *((p.pk, p.name) for p in partners)]
        self.fields["partner"].widget.attrs["translate"] = "no"
        set_measure_choices(self.fields["measure"], measures)


class IndustrySupportChangeForm(IndustrySupportForm):
    """Correct a support: its partner, amount, period, note and the measure it was given
    under (its kind stays)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, partners=(), measures=(), **kwargs):
        super().__init__(*args, partners=partners, measures=measures, **kwargs)
        del self.fields["kind"]


class IndustryPaymentForm(forms.Form):
    """The key is made when the form is shown: a form sent twice records one payment, and two
    payments of the same amount on one day (two forms) are two. A page shown before the key
    existed sends none: the same day and amount is then taken for the same payment."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    paid_on = date_field(_("paid on"))
    amount = forms.DecimalField(
        label=_("amount (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class ClaimDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (ClaimStatus.PAID, ClaimStatus.PAID.label),
            (ClaimStatus.REFUSED, ClaimStatus.REFUSED.label),
        ],
    )
    decided_on = date_field(_("decided on"))
    amount_paid = forms.DecimalField(
        label=_("amount paid (yuan)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class WelfarePostChangeForm(forms.Form):
    """Renew a post (a later end, beyond a year when renewed), end it early, change its pay, or
    confirm that it ends on its end date."""

    ends_on = date_field(_("ends on"))
    renewed = forms.BooleanField(label=_("renewed beyond a year"), required=False)
    monthly_pay = forms.DecimalField(
        label=_("monthly pay (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    confirm_end = forms.BooleanField(
        label=_("The post ends on this date (not renewed)"), required=False
    )
    measure = measure_field()
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_measure_choices(self.fields["measure"], measures)
