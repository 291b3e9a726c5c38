import datetime

from households import services as household_services
from households.models import Household
from pairings import selectors, services
from pairings.models import Contact, Pairing, PairingPolicy
from tests.conftest import HOME_VILLAGE
from tests.pairings.conftest import TODAY


def _pair(actor, household, cadre, days_ago=0):
    return services.pairing_assign(
        actor=actor,
        household_id=household.pk,
        cadre_id=cadre.pk,
        started_on=TODAY - datetime.timedelta(days=days_ago),
    )


def test_kpis_count_unpaired_monitored_households(township_cadre, village_worker, monitored):
    household_services.household_create(
        actor=township_cadre,
        village_code=HOME_VILLAGE,
        poverty_status="lifted_out",
        poverty_exit_year=2019,
    )
    kpis = selectors.pairing_kpis(user=township_cadre, as_of=TODAY)
    assert kpis.households_without_cadre == 1  # the lifted-out one is not counted by default
    assert [h.pk for h in kpis.without_cadre] == [monitored.pk]
    _pair(township_cadre, monitored, village_worker)
    assert selectors.pairing_kpis(user=township_cadre, as_of=TODAY).households_without_cadre == 0


def test_kpis_count_lifted_out_when_the_policy_says_so(township_cadre, household):
    assert selectors.pairing_kpis(user=township_cadre, as_of=TODAY).households_without_cadre == 0
    PairingPolicy.objects.create(region=None, include_lifted_out=True)
    assert selectors.pairing_kpis(user=township_cadre, as_of=TODAY).households_without_cadre == 1


def test_kpis_find_cadres_over_their_limit(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker)
    other = household_services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    _pair(township_cadre, other, village_worker)
    # The limit is lowered after the fact: the cadre is now over it.
    PairingPolicy.objects.create(region=None, max_households=1)
    kpis = selectors.pairing_kpis(user=township_cadre, as_of=TODAY)
    assert [(row.cadre, row.households, row.limit) for row in kpis.cadres_over_limit] == [
        (village_worker, 2, 1)
    ]


def test_kpis_find_cadres_out_of_touch(township_cadre, village_worker, monitored):
    pairing = _pair(township_cadre, monitored, village_worker, days_ago=90)
    Contact.objects.create(
        pairing=pairing,
        household=monitored,
        cadre=village_worker,
        kind="visit",
        contacted_on=TODAY - datetime.timedelta(days=40),
        summary="走访",
    )
    silent = selectors.pairing_kpis(user=township_cadre, as_of=TODAY).cadres_silent
    assert [(row.cadre, row.households) for row in silent] == [(village_worker, 1)]
    services.contact_record(
        actor=village_worker,
        household_id=monitored.pk,
        kind="phone",
        contacted_on=TODAY,
        summary="电话",
    )
    assert selectors.pairing_kpis(user=township_cadre, as_of=TODAY).cadres_silent == []


def test_my_households_show_last_contact_and_due_date(township_cadre, village_worker, monitored):
    _pair(township_cadre, monitored, village_worker, days_ago=45)
    [row] = selectors.households_of_cadre(user=village_worker, as_of=TODAY)
    assert row.last_contact_on is None
    assert row.due_on == TODAY - datetime.timedelta(days=15) and row.overdue
    services.contact_record(
        actor=village_worker,
        household_id=monitored.pk,
        kind="visit",
        contacted_on=TODAY,
        summary="走访",
    )
    [row] = selectors.households_of_cadre(user=village_worker, as_of=TODAY)
    assert row.last_contact_on == TODAY and not row.overdue
    assert row.due_on == TODAY + datetime.timedelta(days=30)


def test_other_regions_and_partners_see_no_pairing_nor_contact(
    township_cadre, village_worker, other_township_cadre, partner, auditor, monitored
):
    _pair(township_cadre, monitored, village_worker)
    services.contact_record(
        actor=village_worker,
        household_id=monitored.pk,
        kind="visit",
        contacted_on=TODAY,
        summary="走访",
    )
    assert not selectors.pairings_visible_to(other_township_cadre).exists()
    assert not selectors.contacts_visible_to(other_township_cadre).exists()
    assert not selectors.pairings_visible_to(partner).exists()
    assert not selectors.contacts_visible_to(partner).exists()
    assert selectors.contacts_visible_to(auditor).count() == 1
    assert Pairing.objects.count() == 1
    assert Household.objects.filter(pk=monitored.pk).exists()
