"""A case's category fits the household's poverty status, as the policy gives them.

脱贫不稳定户 (unstable) is for 脱贫户 (lifted-out households) only, 边缘易致贫户 (marginal) for
一般农户 (ordinary rural households) only, 突发严重困难户 (sudden hardship) for either.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assistance.models import Case
from assistance.services import cases as case_services
from households import services as household_services
from households.models import Household
from monitoring.models import AlertStatus
from tests.assistance.test_api import case_url, http, post
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MARGINAL_ON_LIFTED_OUT = (
    "By the monitoring policy “Marginal household at risk of poverty” is for ordinary rural "
    "households only, and this household was lifted out of poverty: choose “Unstable lifted-out "
    "household” or “Household in sudden severe hardship”."
)
UNSTABLE_ON_ORDINARY = (
    "By the monitoring policy “Unstable lifted-out household” is for lifted-out households only, "
    "and this household is an ordinary rural household: choose “Marginal household at risk of "
    "poverty” or “Household in sudden severe hardship”."
)


def propose(actor, household, category, **extra):
    return case_services.case_propose(
        actor=actor,
        household_id=household.pk,
        origin="cadre",
        category=category,
        risk_types=["illness"],
        situation="户主患病，收入骤降",
        **extra,
    )


def make_ordinary(household) -> Household:
    Household.objects.filter(pk=household.pk).update(
        poverty_status="ordinary", poverty_exit_year=None
    )
    household.refresh_from_db()
    return household


# The service ---------------------------------------------------------------------------------


def test_a_lifted_out_household_cannot_be_proposed_as_marginal(household, township_cadre):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        propose(township_cadre, household, "marginal")
    assert raised.value.message_dict == {"category": [MARGINAL_ON_LIFTED_OUT]}
    assert not Case.objects.exists()
    household.refresh_from_db()
    assert not household.has_open_case


def test_an_ordinary_household_cannot_be_proposed_as_unstable(household, township_cadre):
    make_ordinary(household)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        propose(township_cadre, household, "unstable")
    assert raised.value.message_dict == {"category": [UNSTABLE_ON_ORDINARY]}
    assert not Case.objects.exists()


def test_the_refusal_quotes_the_policy_in_chinese(household, township_cadre):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        propose(township_cadre, household, "marginal")
    assert raised.value.message_dict["category"] == [
        "按防止返贫监测帮扶政策，“边缘易致贫户”只适用于一般农户，该户是脱贫户，"
        "请选择“脱贫不稳定户”或“突发严重困难户”。"
    ]


@pytest.mark.parametrize(
    ("status", "category"),
    [
        ("lifted_out", "unstable"),
        ("lifted_out", "sudden_hardship"),
        ("ordinary", "marginal"),
        ("ordinary", "sudden_hardship"),
    ],
)
def test_a_fitting_category_is_taken(household, township_cadre, status, category):
    if status == "ordinary":
        make_ordinary(household)
    case = propose(township_cadre, household, category)
    assert case.category == category


def test_a_confirmed_warning_is_left_confirmed_when_the_category_is_refused(
    confirmed_alert, township_cadre, household
):
    with pytest.raises(ValidationError):
        propose(township_cadre, household, "marginal", alert_id=confirmed_alert.pk)
    confirmed_alert.refresh_from_db()
    assert confirmed_alert.status == AlertStatus.CONFIRMED


def test_an_open_case_cannot_be_changed_to_a_category_that_does_not_fit(household, township_cadre):
    case = propose(township_cadre, household, "unstable")
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        case_services.case_update(
            actor=township_cadre,
            case=case,
            version=case.version,
            category="marginal",
            risk_types=["illness"],
            situation=case.situation,
            social_assistance="none",
        )
    assert raised.value.message_dict == {"category": [MARGINAL_ON_LIFTED_OUT]}
    case.refresh_from_db()
    assert case.category == "unstable" and case.version == 1


def test_the_registry_keeps_the_poverty_status_of_a_household_with_an_open_case(
    household, township_cadre
):
    propose(township_cadre, household, "unstable")
    household.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        household_services.household_update(
            actor=township_cadre,
            household=household,
            version=household.version,
            poverty_status="ordinary",
            poverty_exit_year=None,
        )
    assert "open case" in raised.value.message_dict["poverty_status"][0]
    household.refresh_from_db()
    assert household.poverty_status == "lifted_out"


def test_the_registry_corrects_the_poverty_status_when_no_case_is_open(household, township_cadre):
    updated = household_services.household_update(
        actor=township_cadre,
        household=household,
        version=household.version,
        poverty_status="ordinary",
        poverty_exit_year=None,
    )
    assert updated.poverty_status == "ordinary"


# The page ------------------------------------------------------------------------------------


def test_the_proposal_page_starts_from_the_category_of_the_households_status(
    household, township_cadre
):
    form = client_for(township_cadre).get(reverse("case-propose"), {"household": household.pk})
    assert form.context["form"].initial["category"] == "unstable"
    make_ordinary(household)
    form = client_for(township_cadre).get(reverse("case-propose"), {"household": household.pk})
    assert form.context["form"].initial["category"] == "marginal"


def test_the_proposal_page_refuses_a_category_that_does_not_fit(household, township_cadre):
    response = client_for(township_cadre).post(
        reverse("case-propose"),
        {
            "origin": "cadre",
            "household": household.pk,
            "category": "marginal",
            "risk_types": ["illness"],
            "situation": "户主患病，收入骤降",
            "social_assistance": "none",
        },
    )
    assert response.status_code == 400
    assert "“边缘易致贫户”只适用于一般农户" in response.content.decode()
    assert not Case.objects.exists()


# The API -------------------------------------------------------------------------------------


def test_the_api_refuses_a_category_that_does_not_fit_with_the_policys_reason(
    household, township_cadre
):
    make_ordinary(household)
    response = post(
        http(township_cadre),
        "/api/v1/cases/",
        {
            "household": household.pk,
            "origin": "cadre",
            "category": "unstable",
            "risk_types": ["illness"],
            "situation": "户主患病，收入骤降",
        },
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error == {
        "attr": "category",
        "code": "category_mismatch",
        "detail": UNSTABLE_ON_ORDINARY,
    }
    assert not Case.objects.exists()


def test_the_api_refuses_changing_a_case_to_a_category_that_does_not_fit(household, township_cadre):
    case = propose(township_cadre, household, "sudden_hardship")
    response = http(township_cadre).patch(
        case_url(case.pk),
        {"version": case.version, "category": "marginal"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == MARGINAL_ON_LIFTED_OUT
    case.refresh_from_db()
    assert case.category == "sudden_hardship"


def test_the_excel_import_keeps_the_poverty_status_of_a_household_with_an_open_case(
    township_cadre,
):
    from spreadsheets.services import registry_import
    from tests.spreadsheets.books import good_rows, workbook

    assert registry_import(actor=township_cadre, content=workbook(good_rows()), dry_run=False).ok
    household = Household.objects.get(number="6204231002000101")
    propose(township_cadre, household, "unstable")
    rows = good_rows()
    for row in rows[:2]:  # the household's two members
        row.update(poverty_status="一般农户", poverty_exit_year=None)
    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)
    assert [(p.row, p.column) for p in report.problems] == [(2, "脱贫状态")]
    household.refresh_from_db()
    assert household.poverty_status == "lifted_out"
