"""The forms of the livelihood pages: a household's month of work (one row a member), a post
and its pay, a claim."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BLANK_CHOICE
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

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [BLANK_CHOICE, *((m.pk, m.name) for m in members)]
        self.fields["member"].widget.attrs["translate"] = "no"


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
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [BLANK_CHOICE, *((p.pk, p.name) for p in partners)]
        self.fields["partner"].widget.attrs["translate"] = "no"


class IndustryPaymentForm(forms.Form):
    paid_on = date_field(_("paid on"))
    amount = forms.DecimalField(
        label=_("amount (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


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
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
