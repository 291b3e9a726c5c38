"""A household page's history names no household its viewer may not see: the page (its
timeline's registry changes) and the change history it opens (/households/<pk>/history/)."""

import pytest

from households import services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(county_officer, household, other_township_household):
    """李秀英 moves from 水源村 (一条山镇) to a household of 芦阳镇, by the county."""
    spouse = household.members.get(name="李秀英")
    services.member_move(
        actor=county_officer,
        member=spouse,
        version=spouse.version,
        household_id=other_township_household.pk,
        relation="spouse",
    )
    household.refresh_from_db()
    other_township_household.refresh_from_db()
    return spouse


def test_the_new_household_s_history_calls_the_old_one_another_household(
    moved, other_township_cadre, household, other_township_household
):
    client = client_for(other_township_cadre)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page, history = _page_and_history(client, other_township_household)
    assert "李秀英" in page and "李秀英" in history  # she lives here now, and moved in
    assert "another household" in page  # the timeline's move, from a household out of scope
    for text in (page, history):
        assert household.number not in text
        assert household.head_name not in text


def test_the_old_household_s_history_calls_the_new_one_another_household(
    moved, township_cadre, household, other_township_household
):
    client = client_for(township_cadre)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    for page in _page_and_history(client, household):
        assert other_township_household.number not in page
        assert other_township_household.head_name not in page


def test_a_viewer_who_sees_both_households_sees_both_named(
    moved, county_officer, household, other_township_household
):
    client = client_for(county_officer)
    page = client.get(f"/households/{other_township_household.pk}/").content.decode()
    assert household.number in page


def _page_and_history(client, household) -> list[str]:
    return [
        client.get(f"/households/{household.pk}/").content.decode(),
        client.get(f"/households/{household.pk}/history/").content.decode(),
    ]


def test_the_history_reads_only_the_kinds_of_row_its_viewer_may_read(
    household, village_worker, township_cadre
):
    from households.selectors import household_history

    def kinds(user) -> set[str]:
        history = household_history(household=household, viewer=user)
        return {model._meta.label for model in history.query.across}

    # A department's signal is the cadres' to read, never the village worker's (no view_signal).
    assert "monitoring.SignalHistory" in kinds(township_cadre)
    assert "monitoring.SignalHistory" not in kinds(village_worker)
    assert {"households.HouseholdEvent", "households.MemberEvent"} <= kinds(village_worker)
