import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import data_select
from pairings.models import ContactKind, EndReason


class ContactForm(forms.Form):
    """The client id is made when the form is shown, so a form sent twice (a double tap, a retry
    on a bad network) records one contact."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("kind of contact"), choices=ContactKind.choices)
    contacted_on = forms.DateField(
        # ISO in the value: a date input shows nothing for a localised one ("2026/12/02").
        label=_("contacted on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    summary = forms.CharField(
        label=_("what was discussed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_ups = forms.CharField(
        label=_("follow-ups"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("client_uuid", uuid.uuid4())


class AssignForm(forms.Form):
    # The version of the household's open pairing when the page was shown (0: none), so a
    # handover someone else made meanwhile is not silently replaced.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    cadre = forms.TypedChoiceField(label=_("responsible cadre"), coerce=int, widget=data_select())
    end_reason = forms.ChoiceField(
        label=_("reason the current pairing ends"),
        choices=EndReason.choices,
        initial=EndReason.HANDOVER,
        required=False,
    )
    end_note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, cadres=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", current.version if current else 0)
        self.fields["cadre"].choices = [
            (cadre.pk, f"{cadre.display_name} · {cadre.get_role_display()}") for cadre in cadres
        ]


class PairingPolicyForm(forms.Form):
    """A county's limits of paired assistance; the service checks the ranges and says why."""

    max_households = forms.IntegerField(label=_("Households per cadre at most"))
    contact_every_days = forms.IntegerField(label=_("Contact at least every (days)"))
    include_lifted_out = forms.BooleanField(
        label=_("Lifted-out households need a cadre too"), required=False
    )
