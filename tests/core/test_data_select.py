"""core.forms.DataSelect writes the options itself: the same HTML as Django's templates."""

import pytest
from django import forms
from django.test.html import parse_html

from core.forms import DataSelect
from households.models import Region

pytestmark = pytest.mark.django_db


def both(field_of, value):
    """The field rendered with the templates' Select and with DataSelect."""

    class ByTemplates(forms.Form):
        choice = field_of(forms.Select(attrs={"translate": "no"}))

    class Written(forms.Form):
        choice = field_of(DataSelect(attrs={"translate": "no"}))

    data = {"choice": value} if value is not None else None
    return str(ByTemplates(data)["choice"]), str(Written(data)["choice"])


@pytest.mark.parametrize("value", [None, "2", "", "no such"])
def test_plain_choices_with_a_blank_and_what_needs_escaping(value):
    choices = [("", "---------"), ("1", "张三 · 村级信息员"), ("2", '<b>"李四"</b> & 王五')]
    templates, written = both(
        lambda widget: forms.ChoiceField(choices=choices, widget=widget), value
    )
    assert parse_html(written) == parse_html(templates)
    assert "<b>" not in written and "请选择" in written


def test_a_model_choice_fields_options_are_marked_as_data():
    villages = Region.objects.filter(level="village").order_by("code")[:3]
    chosen = str(villages[1].pk)
    templates, written = both(
        lambda widget: forms.ModelChoiceField(queryset=villages, widget=widget), chosen
    )
    assert parse_html(written) == parse_html(templates)
    assert written.count('translate="no"') == 1 + 3  # the select and each village


def test_grouped_choices_go_through_the_templates():
    choices = [("甲", [("1", "一"), ("2", "二")]), ("乙", [("3", "三")])]
    templates, written = both(lambda widget: forms.ChoiceField(choices=choices, widget=widget), "3")
    assert written == templates and "<optgroup" in written
