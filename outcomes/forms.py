"""The outcomes' query: a region and a period of elimination, read the same way by the page and
the API (one definition)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import regions
from outcomes import selectors


class OutcomesFilterForm(forms.Form):
    region = forms.RegexField(
        label=_("region"),
        regex=regions.CODE_PATTERN,
        required=False,
        error_messages={"invalid": _("A region code is 12 digits.")},
    )
    eliminated_from = forms.DateField(label=_("risk eliminated from"), required=False)
    eliminated_to = forms.DateField(label=_("risk eliminated until"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        self.region = None

    def clean(self):
        data = super().clean()
        if "region" in data:
            self.region = selectors.outcomes_region(user=self.user, code=data["region"] or None)
            if self.region is None:
                self.add_error(
                    "region",
                    forms.ValidationError(
                        _("This region is not within yours."), code="outside_region"
                    ),
                )
        first, last = data.get("eliminated_from"), data.get("eliminated_to")
        if first and last and first > last:
            self.add_error(
                "eliminated_to",
                forms.ValidationError(
                    _("The end of the period is before its start."), code="before_start"
                ),
            )
        return data

    def filters(self) -> dict:
        """The selectors' keyword arguments (for a valid form)."""
        return {
            "region": self.region,
            "eliminated_from": self.cleaned_data["eliminated_from"],
            "eliminated_to": self.cleaned_data["eliminated_to"],
        }
