"""The outcomes of tests/outcomes/conftest.py's history, figure by figure."""

from decimal import Decimal

from households.models import Region
from outcomes import selectors
from outcomes.selectors import KNOWN, NO_VISIT, NOT_YET, Jobs
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, OTHER_TOWNSHIP
from tests.outcomes.conftest import TODAY, D


def test_a_case_from_enrolment_to_twelve_months_after_elimination(history, township_cadre):
    outcome = selectors.case_outcome(user=township_cadre, case=history.a, today=TODAY)
    assert outcome is not None
    assert outcome.enrolled_on == D(2025, 3, 10)
    assert outcome.eliminated_on == D(2025, 9, 1)
    assert (outcome.at_enrolment.value, outcome.at_enrolment.state) == (Decimal("4000.00"), KNOWN)
    assert outcome.at_elimination.value == Decimal("6500.00")
    # Six months after is 2 March 2026: the visit of 5 March, not that of 10 February.
    assert outcome.after_6_months.day == D(2026, 3, 2)
    assert outcome.after_6_months.value == Decimal("7000.00")
    assert outcome.after_12_months.day == D(2026, 9, 1)
    assert outcome.after_12_months.value == Decimal("8200.00")
    assert outcome.change_12_months == Decimal("4200.00")
    assert outcome.reentry == selectors.NOT_REENTERED
    # July 2025: the head works, his wife does not; October 2025: he works, she has no record.
    assert outcome.jobs == [
        Jobs(3, members=2, working=1, not_working=1, not_recorded=0, not_yet=0),
        Jobs(6, members=2, working=1, not_working=0, not_recorded=1, not_yet=0),
    ]


def test_no_visit_and_not_yet(history, township_cadre):
    b = selectors.case_outcome(user=township_cadre, case=history.b, today=TODAY)
    assert b.at_enrolment.value == Decimal("3000.00")
    assert (b.at_elimination.state, b.after_6_months.state) == (NO_VISIT, NO_VISIT)
    assert b.after_12_months.state == NO_VISIT
    assert b.change_12_months is None

    d = selectors.case_outcome(user=township_cadre, case=history.d, today=TODAY)
    # Eliminated on 1 October 2026: the elimination's window closed on 15 November, the
    # six-month visit is due around 1 April 2027.
    assert d.at_elimination.state == NO_VISIT
    assert (d.after_6_months.state, d.after_12_months.state) == (NOT_YET, NOT_YET)
    assert d.reentry == NOT_YET
    assert d.jobs[0] == Jobs(3, members=0, not_yet=1)

    # Case B's 12-month window (to 16 July 2026) is open on 20 June 2026: not yet, not "no visit".
    early = selectors.case_outcome(user=township_cadre, case=history.b, today=D(2026, 6, 20))
    assert early.after_12_months.state == NOT_YET


def test_reentry_within_a_year(history, township_cadre):
    b = selectors.case_outcome(user=township_cadre, case=history.b, today=TODAY)
    assert b.reentry == selectors.REENTERED
    assert b.reentered_on == D(2026, 2, 1)
    c = selectors.case_outcome(user=township_cadre, case=history.c, today=TODAY)
    assert c.reentry == selectors.NOT_ELIMINATED


def test_summary_of_a_township_leaves_out_the_other_township(history, township_cadre):
    township = Region.objects.get(code=HOME_TOWNSHIP)
    outcomes = selectors.outcomes_get(township_cadre, region=township, today=TODAY)
    summary = outcomes.summary
    assert (summary.cases, summary.eliminated) == (4, 3)  # A, B, C, D; not E
    assert (summary.due_12, summary.known_12) == (2, 1)  # A and B; A known
    assert summary.median_change_12 == Decimal("4200.00")
    assert (summary.old_enough, summary.reentered) == (2, 1)
    assert summary.reentry_rate == 0.5
    assert summary.jobs == [
        Jobs(3, members=2, working=1, not_working=1, not_recorded=0, not_yet=1),
        Jobs(6, members=2, working=1, not_working=0, not_recorded=1, not_yet=1),
    ]
    # A township cadre cannot ask for the other township.
    assert selectors.outcomes_region(user=township_cadre, code=OTHER_TOWNSHIP) is None


def test_summary_of_the_county_and_its_townships(history, county_officer):
    county = Region.objects.get(code=HOME_COUNTY)
    outcomes = selectors.outcomes_get(county_officer, region=county, today=TODAY)
    summary = outcomes.summary
    assert (summary.cases, summary.due_12, summary.known_12) == (5, 3, 2)
    assert summary.median_change_12 == Decimal("2000.00")  # the median of +4,200 and −200
    assert (summary.old_enough, summary.reentered) == (3, 1)
    areas = {row.code: row.figures for row in outcomes.areas}
    assert areas[HOME_TOWNSHIP].cases == 4
    assert areas[OTHER_TOWNSHIP].cases == 1
    assert areas[OTHER_TOWNSHIP].median_change_12 == Decimal("-200.00")
    assert areas[OTHER_TOWNSHIP].jobs[0].members == 0


def test_period_of_elimination(history, county_officer):
    county = Region.objects.get(code=HOME_COUNTY)
    outcomes = selectors.outcomes_get(
        county_officer,
        region=county,
        today=TODAY,
        eliminated_from=D(2025, 8, 1),
        eliminated_to=D(2026, 12, 31),
    )
    assert outcomes.summary.cases == 2  # A and D
    assert outcomes.summary.median_change_12 == Decimal("4200.00")


def test_partners_and_kinds_planned_against_delivered(history, township_cadre, partner_org):
    township = Region.objects.get(code=HOME_TOWNSHIP)
    outcomes = selectors.outcomes_get(township_cadre, region=township, today=TODAY)
    partners = {row.key: row for row in outcomes.partners}
    hengda = partners[str(partner_org.pk)]
    assert hengda.name == partner_org.name
    delivery = hengda.delivery
    assert (delivery.planned, delivery.delivered) == (2, 1)
    assert (delivery.planned_amount, delivery.delivered_amount) == (
        Decimal("1500.00"),
        Decimal("900.00"),
    )
    assert (delivery.with_deadline, delivery.on_time) == (1, 1)
    # The households it served: case A only.
    assert hengda.figures.cases == 1
    assert hengda.figures.median_change_12 == Decimal("4200.00")
    assert hengda.figures.jobs[0].working == 1

    unnamed = partners[""]  # case B's health measure and case D's post
    assert (unnamed.delivery.planned, unnamed.delivery.delivered) == (2, 1)
    assert (unnamed.delivery.with_deadline, unnamed.delivery.on_time) == (1, 0)  # ten days late
    assert (unnamed.figures.old_enough, unnamed.figures.reentered) == (1, 1)

    kinds = {row.key: row for row in outcomes.kinds}
    assert set(kinds) == {"employment", "housing", "health", "public_post"}
    assert (kinds["employment"].delivery.planned, kinds["employment"].delivery.delivered) == (1, 1)
    assert (kinds["housing"].delivery.planned, kinds["housing"].delivery.delivered) == (1, 0)
    assert kinds["employment"].figures.jobs[1].not_recorded == 1
    assert kinds["public_post"].figures.jobs[0].not_yet == 1


def test_no_permission_no_outcomes(history, village_worker, partner):
    assert selectors.case_outcome(user=village_worker, case=history.a, today=TODAY) is None
    assert selectors.outcomes_region(user=village_worker, code=None) is None
    assert selectors.outcomes_region(user=partner, code=None) is None
