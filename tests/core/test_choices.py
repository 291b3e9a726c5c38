"""get_<field>_display() through core.choices.ChoiceLabels: the label of the user's language, the
value itself for a value that is no choice, as Django's own gives them."""

import pytest
from django.db.models import Model
from django.utils import translation

from accounts.models import User
from assistance.models import Case, CaseStep, Measure
from development.models import DevelopmentPlan
from households.models import Household, Member
from monitoring.models import Alert

MODELS = [User, Household, Member, Alert, Case, CaseStep, Measure, DevelopmentPlan]


def _choice_fields(model: type[Model]):
    return [field for field in model._meta.concrete_fields if field.choices]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_label_is_djangos_own_in_the_users_language(model, language):
    assert _choice_fields(model), "a model without choices needs no ChoiceLabels"
    with translation.override(language):
        for field in _choice_fields(model):
            for value, _label in field.flatchoices:
                row = model(**{field.attname: value})
                ours = getattr(row, f"get_{field.name}_display")()
                assert ours == Model._get_FIELD_display(row, field), (field.name, value)


def test_the_label_follows_the_language_of_the_request():
    alert = Alert(level="high")
    with translation.override("zh-hans"):
        chinese = alert.get_level_display()
    with translation.override("en"):
        english = alert.get_level_display()
    assert chinese != english
    assert english == "High"


def test_a_value_that_is_no_choice_is_shown_as_it_is():
    assert Alert(level="unheard-of").get_level_display() == "unheard-of"
    assert Alert(level=None).get_level_display() is None
