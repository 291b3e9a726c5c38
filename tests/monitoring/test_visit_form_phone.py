"""The visit form for a phone: "same as last time" per section (0 for a figure the last visit did
not have), plain Chinese error wording, and the error summary that links to each field."""

import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from monitoring.forms import VisitForm, visit_copy_data
from monitoring.models import Visit
from tests.conftest import client_for
from tests.monitoring.conftest import record
from tests.monitoring.test_pages import visit_form

pytestmark = pytest.mark.django_db


def _copies(page: str) -> dict[str, dict]:
    """The "same as last time" buttons of a page, by section."""
    found = re.findall(r'data-section="(\w+)".*?data-same-as-last="([^"]*)"', page, re.S)
    return {key: json.loads(value.replace("&quot;", '"')) for key, value in found}


def test_same_as_last_time_copies_the_last_visits_figures_by_section(village_worker, household):
    record(village_worker, household, medical_spending=Decimal("1250.50"), safe_water_ok=False)
    page = client_for(village_worker).get(f"/visits/new/?household={household.pk}")
    copies = _copies(page.content.decode())
    assert copies["income"] == {
        "wage_income": "30000.00",
        "business_income": "12000.00",
        "property_income": "1000.00",
        "transfer_income": "5000.00",
    }
    assert copies["spending"] == {
        "medical_spending": "1250.50",
        "education_spending": "0.00",
        "disaster_loss": "0.00",
    }
    assert copies["checks"]["safe_water_ok"] == "False"
    assert copies["checks"]["food_clothing_ok"] == "True"
    # The boxes start empty: the worker confirms each section with one tap, or types.
    assert page.context["form"]["wage_income"].value() is None


def test_a_figure_the_last_visit_did_not_have_is_copied_as_zero():
    last = SimpleNamespace(wage_income=Decimal("800"), business_income=None, food_clothing_ok=None)
    copies = visit_copy_data(last)
    assert copies["income"] == {
        "wage_income": "800",
        "business_income": "0",
        "property_income": "0",
        "transfer_income": "0",
    }
    assert copies["spending"] == {
        "medical_spending": "0",
        "education_spending": "0",
        "disaster_loss": "0",
    }
    assert set(copies["checks"].values()) == {"True"}


def test_a_first_visit_has_nothing_to_copy(village_worker, household):
    page = client_for(village_worker).get(f"/visits/new/?household={household.pk}")
    assert "data-same-as-last" not in page.content.decode()
    assert visit_copy_data(None) == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("wage_income", "123456789012", "金额太大：最多 10 位整数。"),
        ("property_income", "-5", "金额不能为负数。"),
        ("transfer_income", "1.234", "金额最多两位小数（到分）。"),
        ("medical_spending", "abc", "请用数字填写金额，例如 1200 或 1200.50。"),
        ("wage_income", "", "请填写此项（没有就填 0）。"),
        ("household_size", "", "请填写此项。"),
        ("household_size", "0", "至少 1 人。"),
    ],
)
def test_errors_are_in_plain_chinese(field, value, message):
    with translation.override("zh-hans"):
        form = VisitForm(data={field: value})
        assert not form.is_valid()
        assert form.errors[field] == [message]
        assert "确认" not in str(form.errors) and "此项为必填项" not in str(form.errors)


def test_labels_end_with_a_full_width_colon():
    with translation.override("zh-hans"):
        assert VisitForm()["wage_income"].label_tag().endswith("：</label>")


def test_a_refused_save_lists_each_error_with_a_link_to_its_field(village_worker, household):
    client = client_for(village_worker)
    form = visit_form(
        client,
        household,
        wage_income="123456789012",
        property_income="-5",
        **{"events-0-kind": "illness"},
    )
    response = client.post("/visits/new/", form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert not Visit.objects.exists()
    page = response.content.decode()
    summary = page[
        page.index("data-error-summary") : page.index("</div>", page.index("data-error-summary"))
    ]
    assert "走访未保存：有 3 处需要改正。" in summary
    assert 'href="#id_wage_income"' in summary and "金额太大：最多 10 位整数。" in summary
    assert 'href="#id_property_income"' in summary and "金额不能为负数。" in summary
    # An event row's error names its row.
    assert 'href="#id_events-0-occurred_on"' in summary and "事件 1 · " in summary
    # Each link's target is on the page.
    for target in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{target}"' in page


def test_the_form_has_a_sticky_save_bar_and_the_event_template(village_worker, household):
    page = client_for(village_worker).get(f"/visits/new/?household={household.pk}").content.decode()
    assert 'class="visit-savebar"' in page and "data-live-total" in page
    assert "data-event-template" in page and "events-__prefix__-kind" in page
    assert "js/visit-form.js" in page
