"""Production and business income is net of its costs and may be a loss; other incomes may not.

Policy counts a household's 12-month net income by source, and a failed crop, herd or shop
(因产业项目失败) leaves the production and business line below zero. Refusing the loss, or
entering it as zero, overstated such a household's income.
"""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from monitoring import scans
from monitoring.models import Alert, Visit
from monitoring.services.visits import visit_record
from tests.conftest import client_for
from tests.monitoring.conftest import TODAY, record, visit_figures
from tests.monitoring.test_api import api, visit_body
from tests.monitoring.test_pages import visit_form

pytestmark = pytest.mark.django_db


# The service ---------------------------------------------------------------------------------


def test_a_business_loss_lowers_the_total_and_the_per_capita_income(village_worker, household):
    visit = record(village_worker, household, business_income=Decimal("-20000"))
    # 30,000 wages − 20,000 loss + 1,000 property + 5,000 transfers, four people.
    assert visit.business_income == Decimal("-20000")
    assert visit.total_net_income == Decimal("16000")
    assert visit.per_capita_income == Decimal("4000.00")


def test_a_loss_greater_than_every_other_income_makes_the_household_figures_negative(
    village_worker, household
):
    visit = record(
        village_worker,
        household,
        wage_income=Decimal("0"),
        business_income=Decimal("-8001"),
        property_income=Decimal("0"),
        transfer_income=Decimal("0"),
    )
    assert visit.total_net_income == Decimal("-8001")
    assert visit.per_capita_income == Decimal("-2000.25")
    household.refresh_from_db()
    assert household.per_capita_income == Decimal("-2000.25")


def test_a_household_with_a_net_loss_is_warned_as_below_the_line(village_worker, household):
    record(village_worker, household, wage_income=Decimal("0"), business_income=Decimal("-20000"))
    scans.evaluate_one(household.pk, as_of=TODAY)
    alert = Alert.objects.get(household=household)
    evidence = {reason["code"]: reason["evidence"] for reason in alert.reasons}
    assert evidence["income_below_line"]["per_capita_income"] == "-3500.00"


@pytest.mark.parametrize("name", ["wage_income", "property_income", "transfer_income"])
def test_incomes_that_are_received_cannot_be_negative(village_worker, household, name):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        record(village_worker, household, **{name: Decimal("-1")})
    assert raised.value.message_dict == {name: ["An amount cannot be negative."]}
    assert not Visit.objects.exists()


def test_a_loss_beyond_any_real_one_is_refused(village_worker, household):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        record(village_worker, household, business_income=Decimal("-10000000.01"))
    assert raised.value.message_dict == {
        "business_income": ["A net loss of more than 10,000,000 yuan is not plausible."]
    }
    assert not Visit.objects.exists()


def test_the_largest_loss_allowed_is_recorded(village_worker, household):
    visit, created = visit_record(
        actor=village_worker,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        **visit_figures(business_income=Decimal("-10000000")),
    )
    assert created and visit.total_net_income == Decimal("-9964000")


# The page ------------------------------------------------------------------------------------


def test_the_visit_page_says_a_loss_is_entered_as_a_negative_number(village_worker, household):
    page = client_for(village_worker).get(f"/visits/new/?household={household.pk}")
    html = page.content.decode()
    assert "亏损" in html and "负数" in html
    assert 'name="business_income"' in html and 'min="-10000000"' in html
    assert 'name="wage_income"' in html and 'min="0"' in html


def test_a_loss_is_recorded_through_the_page(village_worker, household):
    client = client_for(village_worker)
    response = client.post("/visits/new/", visit_form(client, household, business_income="-3000"))
    assert response.status_code == 302
    visit = Visit.objects.get(household=household)
    # poor_figures: 12,000 wages and 3,000 transfers, now with a 3,000 loss, four people.
    assert visit.total_net_income == Decimal("12000")
    assert visit.per_capita_income == Decimal("3000.00")


def test_negative_wages_are_still_refused_by_the_page(village_worker, household):
    client = client_for(village_worker)
    response = client.post(
        "/visits/new/",
        visit_form(client, household, wage_income="-1"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["wage_income"]
    assert not Visit.objects.exists()


# The API -------------------------------------------------------------------------------------


def test_a_loss_is_recorded_through_the_api(village_worker, household):
    body = visit_body(household, business_income="-20000.50", wage_income="0")
    response = api(village_worker).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["business_income"] == "-20000.50"
    assert response.json()["total_net_income"] == "-14000.50"
    assert response.json()["per_capita_income"] == "-3500.13"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("business_income", "-10000000.01"),
        ("wage_income", "-0.01"),
        ("transfer_income", "-5"),
        ("medical_spending", "-5"),
    ],
)
def test_the_api_refuses_what_cannot_be_negative_and_stores_nothing(
    village_worker, household, name, value
):
    body = visit_body(household, **{name: value})
    response = api(village_worker).post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == name
    assert not Visit.objects.exists()
