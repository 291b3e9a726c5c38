"""What runs on after a case: measures marked so, with their end, for the region's users only."""

import datetime

from assistance.services.measures import MeasurePlan, measure_create
from livelihoods.selectors.continuing import running_after_case
from tests.assistance.conftest import case, clock, confirmed_alert, household  # noqa: F401


def test_a_measure_continuing_after_the_case_is_listed_with_its_end(
    case,  # noqa: F811
    township_cadre,
    other_township_cadre,
    clock,  # noqa: F811
):
    today = clock.today()
    for title, continues in (("雨露计划中职补助", True), ("临时救助", False)):
        measure_create(
            actor=township_cadre,
            case=case,
            plan=MeasurePlan(
                kind="education" if continues else "social_security",
                title=title,
                responsible_id=township_cadre.pk,
                planned_start=today,
                planned_end=today + datetime.timedelta(days=400),
                continues_after_case=continues,
            ),
        )
    rows = running_after_case(township_cadre, today)
    assert [(row.kind, row.title, row.ends_on) for row in rows] == [
        ("measure", "雨露计划中职补助", today + datetime.timedelta(days=400))
    ]
    assert running_after_case(other_township_cadre, today) == []
    # Past its end, it is no longer listed.
    assert running_after_case(township_cadre, today + datetime.timedelta(days=401)) == []


def test_a_loan_being_repaid_is_listed_with_its_maturity_in_its_region_only(
    household,  # noqa: F811
    township_cadre,
    other_township_cadre,
    village_worker,
):
    """continuing_loans() once answered [] whatever was lent: the page and its "loans" said
    nothing of the loans that run on after a case."""
    from decimal import Decimal

    from django.test import Client
    from django.utils import timezone

    from livelihoods.services import credit

    today = timezone.localdate()
    loan = credit.loan_create(
        actor=township_cadre,
        household_id=household.pk,
        borrower_id=household.members.get(relation="head").pk,
        lender="景泰县农商银行",
        principal=Decimal("12000"),
        term_months=24,
        annual_rate=Decimal("4.35"),
        method="monthly",
        disbursed_on=today - datetime.timedelta(days=60),
    )
    rows = [row for row in running_after_case(township_cadre, today) if row.kind == "loan"]
    assert [(row.ref, row.household_id, row.ends_on) for row in rows] == [
        (loan.pk, household.pk, loan.matures_on)
    ]
    assert "12,000" in rows[0].title
    assert running_after_case(other_township_cadre, today) == []
    client = Client()
    client.force_login(village_worker)
    page = client.get("/livelihoods/continuing/")
    assert page.status_code == 200
    assert f"/loans/{loan.pk}/" in page.content.decode()
    # Written off, it no longer runs on.
    credit.loan_write_off(
        actor=township_cadre, loan_id=loan.pk, version=loan.version, reason="银行核销"
    )
    assert [r for r in running_after_case(township_cadre, today) if r.kind == "loan"] == []
