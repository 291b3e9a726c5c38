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
