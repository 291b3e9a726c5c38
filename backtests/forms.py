"""The form that starts a backtest; the service checks the rest."""

import datetime
import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backtests.services import MAX_HORIZON


class MonthField(forms.CharField):
    """A month as the browser's month input sends it: 2025-07."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-07"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return datetime.date(year, month, 1)
        except ValueError:
            raise ValidationError(_("Give a month as 2025-07.")) from None


class BacktestForm(forms.Form):
    region = forms.CharField(
        label=_("Region"),
        max_length=12,
        help_text=_("The county's code, or a township's or village's in it."),
    )
    period_start = MonthField(label=_("From month"))
    period_end = MonthField(label=_("To month"))
    horizon_months = forms.IntegerField(
        label=_("Horizon (months)"),
        min_value=1,
        max_value=MAX_HORIZON,
        initial=12,
        help_text=_("How long after a warning an enrolment still counts as foreseen."),
    )
    proposed = forms.CharField(
        label=_("Proposed rule settings (to compare)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: the rules to change, as in the rule settings, in JSON."),
    )

    def clean_proposed(self):
        text = self.cleaned_data["proposed"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ValidationError(_("This is not valid JSON.")) from None
