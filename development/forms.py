"""The forms of household development plans; the services check what depends on the data
(a member of the household, a measure of its cases, a goal of the plan) and say why."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BLANK_CHOICE, data_select
from development.models import CommitmentRating, ConsentMethod, GoalArea, GoalRating, Party


def _date_input() -> forms.DateInput:
    # ISO in the value: a date input shows nothing for a localised one ("2026/12/02").
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


VERSION_MAX = 2**31 - 1


def _version() -> forms.IntegerField:
    # The plan's version when the page was shown: an edit made meanwhile is not overwritten.
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)


class PlanCreateForm(forms.Form):
    case = forms.TypedChoiceField(
        label=_("case"), coerce=int, required=False, empty_value=None, widget=data_select()
    )

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [BLANK_CHOICE] + [
            (case.pk, f"{case.proposed_on:%Y-%m-%d} · {case.get_status_display()}")
            for case in cases
        ]


def _member_choices(members) -> list:
    return [BLANK_CHOICE] + [(member.pk, member.name) for member in members]


class GoalForm(forms.Form):
    version = _version()
    area = forms.ChoiceField(label=_("area"), choices=GoalArea.choices)
    description = forms.CharField(
        label=_("goal, in the household's words"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target = forms.CharField(label=_("measurable target"), max_length=120, required=False)
    target_date = forms.DateField(label=_("target date"), required=False, widget=_date_input())
    member = forms.TypedChoiceField(
        label=_("member it concerns"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=data_select(),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = _member_choices(members)


class CommitmentForm(forms.Form):
    version = _version()
    goal = forms.TypedChoiceField(
        label=_("goal"), coerce=int, required=False, empty_value=None, widget=data_select()
    )
    party = forms.ChoiceField(label=_("who commits"), choices=Party.choices)
    description = forms.CharField(
        label=_("commitment"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    member = forms.TypedChoiceField(
        label=_("member who commits (the household's side)"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=data_select(),
    )
    measure = forms.TypedChoiceField(
        label=_("assistance measure (the assistance's side)"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=data_select(),
    )
    due = forms.DateField(label=_("due"), required=False, widget=_date_input())

    def __init__(self, *args, goals=(), members=(), measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [BLANK_CHOICE] + [
            (goal.pk, f"{goal.get_area_display()} · {goal.description}") for goal in goals
        ]
        self.fields["member"].choices = _member_choices(members)
        self.fields["measure"].choices = [BLANK_CHOICE] + [
            (measure.pk, f"{measure.get_kind_display()} · {measure.title}") for measure in measures
        ]


class AgreeForm(forms.Form):
    version = _version()
    member = forms.TypedChoiceField(
        label=_("agreed by (an adult member)"), coerce=int, widget=data_select()
    )
    method = forms.ChoiceField(label=_("how the household agreed"), choices=ConsentMethod.choices)
    witness = forms.CharField(
        label=_("witness (for a spoken agreement)"), max_length=50, required=False
    )
    agreed_on = forms.DateField(label=_("agreed on"), widget=_date_input())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = _member_choices(members)


class CloseForm(forms.Form):
    version = _version()
    reason = forms.CharField(label=_("reason"), max_length=300)


class ReviewForm(forms.Form):
    """One rating and one "why" a goal and a commitment, made from the plan's contents."""

    visit = forms.TypedChoiceField(label=_("visit"), coerce=int, widget=data_select())
    notes = forms.CharField(
        label=_("notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, plan, visits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].choices = [BLANK_CHOICE] + [
            (visit.pk, f"{visit.visited_on:%Y-%m-%d}") for visit in visits
        ]
        self.rows = []
        for goal in plan.goals.all():
            self._add(f"goal-{goal.pk}", goal, GoalRating.choices)
        for commitment in plan.commitments.all():
            self._add(f"commitment-{commitment.pk}", commitment, CommitmentRating.choices)

    def _add(self, key, subject, choices):
        self.fields[key] = forms.ChoiceField(
            label=_("rating"), choices=choices, required=False, widget=forms.RadioSelect
        )
        self.fields[f"{key}-why"] = forms.CharField(
            label=_("why (unless fully so)"), max_length=300, required=False
        )
        self.rows.append((subject, self[key], self[f"{key}-why"]))

    def ratings(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            key: (data.get(key) or "", data.get(f"{key}-why") or "")
            for key in self.fields
            if key.startswith(("goal-", "commitment-")) and not key.endswith("-why")
        }
