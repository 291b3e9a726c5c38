"""No select of Dixian says "---------": a form's blank choice reads "请选择" (Please choose), a
filter's "全部" (All), whatever made it (a model field's blank choice, a ModelChoiceField's
empty_label, django-filter's empty choice). Every form and filter class of the project is
rendered, in both languages; a new one that cannot be made without arguments must be given its
arguments in FACTORIES below, so none is left out."""

import importlib
import re

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from assistance.models import StepKind

pytestmark = pytest.mark.django_db

DASHES = "---------"
PROJECT_APPS = {
    config.name
    for config in apps.get_app_configs()
    if str(config.path).startswith(str(settings.BASE_DIR))
    and ".venv" not in str(config.path)
    and "site-packages" not in str(config.path)
}


def _project_classes(base) -> list[type]:
    for app in PROJECT_APPS:
        for module in ("forms", "filters", "admin", "thresholds"):
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError:
                pass
    found, stack = [], [base]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS and not cls.__name__.startswith("_"):
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


@pytest.fixture
def factories(household, township_cadre):
    member = household.members.first()
    request = RequestFactory().get("/")
    request.user = township_cadre
    return {
        "HouseholdForm": lambda cls: cls(user=township_cadre),
        "MemberMoveForm": lambda cls: cls(member=member, user=township_cadre),
        "HouseholdSplitForm": lambda cls: cls(household=household),
        "HouseholdMergeForm": lambda cls: cls(household=household, user=township_cadre),
        "StepForm": lambda cls: cls(kind=StepKind.NOTICE),
        "TaskFilterForm": lambda cls: cls(None, user=township_cadre),
        "ReviewForm": lambda cls: cls(plan=_plan_with_a_goal(household, township_cadre)),
        "WelfarePostForm": lambda cls: cls(members=household.members.all()),
        "IndustrySupportForm": lambda cls: cls(partners=()),
        "OutcomesFilterForm": lambda cls: cls(None, user=township_cadre),
        "request": request,
    }


def _plan_with_a_goal(household, cadre):
    from development.services import plans

    plan = plans.plan_create(actor=cadre, household_id=household.pk)
    goal = plans.goal_save(
        actor=cadre, plan_id=plan.pk, version=None, area="work", description="外出务工"
    )
    plans.commitment_save(
        actor=cadre,
        plan_id=plan.pk,
        version=None,
        goal_id=goal.pk,
        party="household",
        description="参加培训",
    )
    return plan


def _made(cls, factories):
    if cls.__name__ in factories:
        return factories[cls.__name__](cls)
    try:
        return cls()
    except TypeError:
        return cls(request=factories["request"])  # a filter of the viewer's region


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_form_or_filter_says_dashes(factories, language):
    rendered = {}
    with translation.override(language):
        for cls in _project_classes(forms.BaseForm):
            if getattr(cls, "_meta", None) is not None and cls._meta.model is None:
                continue  # an abstract ModelForm base
            rendered[cls.__name__] = str(_made(cls, factories))
        for cls in _project_classes(django_filters.FilterSet):
            if cls._meta.model is not None:
                rendered[cls.__name__] = str(_made(cls, factories).form)
    assert len(rendered) > 30, sorted(rendered)
    assert not [name for name, html in rendered.items() if DASHES in html]
    blanks = [re.findall(r'<option value=""[^>]*>([^<]*)<', html) for html in rendered.values()]
    labels = {label for found in blanks for label in found}
    expected = {"zh-hans": {"请选择", "全部"}, "en": {"Please choose", "All"}}[language]
    assert expected <= labels, labels
