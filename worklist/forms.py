"""The task list's filters, read the same way by the page and the API (one definition)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from worklist.kinds import KIND_CHOICES
from worklist.selectors import MAX_PAGE_SIZE, region_in_reach

# Deep pages of a UNION are read by skipping rows: a list is worked from its head.
MAX_PAGE = 200
PAGE_SIZE = 50


def _flag(value: str) -> bool:
    return value in ("1", "true")


class TaskFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(label=_("kind"), choices=KIND_CHOICES, required=False)
    overdue = forms.TypedChoiceField(
        label=_("overdue"),
        choices=[("1", "1"), ("true", "true"), ("0", "0"), ("false", "false")],
        coerce=_flag,
        empty_value=None,
        required=False,
    )
    due_before = forms.DateField(label=_("due on or before"), required=False)
    region = forms.RegexField(
        label=_("region"),
        regex=r"\A[0-9]{2,12}\Z",
        required=False,
        error_messages={"invalid": _("A region code is 2 to 12 digits.")},
    )
    page = forms.IntegerField(label=_("page"), min_value=1, max_value=MAX_PAGE, required=False)
    page_size = forms.IntegerField(
        label=_("page size"), min_value=1, max_value=MAX_PAGE_SIZE, required=False
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user

    def clean_region(self) -> str:
        region = self.cleaned_data["region"]
        if region and not region_in_reach(self.user, region):
            raise forms.ValidationError(
                _("This region is not within yours."), code="outside_region"
            )
        return region

    def filters(self) -> dict:
        """The selectors' keyword arguments (for a valid form)."""
        data = self.cleaned_data
        return {
            "kinds": data["kind"] or None,
            "overdue": data["overdue"],
            "due_before": data["due_before"],
            "region": data["region"] or None,
        }

    def chosen_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def chosen_size(self) -> int:
        return self.cleaned_data.get("page_size") or PAGE_SIZE
