import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import EditConflict
from households import services as household_services
from pairings import services
from pairings.models import Contact, Pairing, PairingPolicy
from tests.conftest import HOME_COUNTY, HOME_VILLAGE
from tests.pairings.conftest import TODAY


def _household(actor, n):
    return household_services.household_create(
        actor=actor, village_code=HOME_VILLAGE, poverty_status="ordinary", address=f"{n}号"
    )


def test_cadre_assigns_a_village_worker(township_cadre, village_worker, monitored):
    pairing = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    assert pairing.cadre == village_worker
    assert pairing.started_on == TODAY
    assert pairing.assigned_by == township_cadre
    assert pairing.is_open


def test_handover_ends_the_old_pairing_and_keeps_its_contacts(
    township_cadre, village_worker, second_worker, monitored
):
    first = services.pairing_assign(
        actor=township_cadre,
        household_id=monitored.pk,
        cadre_id=village_worker.pk,
        started_on=TODAY - datetime.timedelta(days=60),
    )
    services.contact_record(
        actor=village_worker,
        household_id=monitored.pk,
        kind="visit",
        contacted_on=TODAY - datetime.timedelta(days=10),
        summary="了解务工情况",
    )
    second = services.pairing_assign(
        actor=township_cadre,
        household_id=monitored.pk,
        cadre_id=second_worker.pk,
        end_reason="rotation",
        end_note="调任",
    )
    first.refresh_from_db()
    assert first.ended_on == TODAY and first.end_reason == "rotation" and first.end_note == "调任"
    assert second.is_open and second.cadre == second_worker
    assert Pairing.objects.filter(household=monitored).count() == 2
    # The history stays on the household: the new cadre reads the old contact.
    assert list(Contact.objects.filter(household=monitored).values_list("pairing", flat=True)) == [
        first.pk
    ]
    assert first.events.count() >= 2  # pghistory: opened, then ended


def test_a_cadre_over_the_limit_is_refused_naming_the_limit(
    township_cadre, village_worker, monitored
):
    PairingPolicy.objects.create(region_id=HOME_COUNTY, max_households=1)
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    other = _household(township_cadre, 2)
    with pytest.raises(ValidationError) as error:
        services.pairing_assign(
            actor=township_cadre, household_id=other.pk, cadre_id=village_worker.pk
        )
    assert "1" in error.value.message_dict["cadre"][0]
    assert not Pairing.objects.filter(household=other).exists()


def test_the_nearest_policy_wins(township_cadre, village_worker, monitored):
    PairingPolicy.objects.create(region=None, max_households=1)
    PairingPolicy.objects.create(region_id=HOME_VILLAGE, max_households=2)
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    other = _household(township_cadre, 2)
    services.pairing_assign(actor=township_cadre, household_id=other.pk, cadre_id=village_worker.pk)
    assert Pairing.objects.filter(cadre=village_worker, ended_on__isnull=True).count() == 2


def test_an_outsider_cadre_is_refused(
    township_cadre, neighbour_worker, other_township_cadre, partner, monitored
):
    for outsider in (neighbour_worker, other_township_cadre, partner):
        with pytest.raises(ValidationError) as error:
            services.pairing_assign(
                actor=township_cadre, household_id=monitored.pk, cadre_id=outsider.pk
            )
        assert "cadre" in error.value.message_dict
    assert not Pairing.objects.exists()


def test_a_village_worker_may_not_pair(village_worker, monitored):
    with pytest.raises(PermissionDenied):
        services.pairing_assign(
            actor=village_worker, household_id=monitored.pk, cadre_id=village_worker.pk
        )


def test_a_household_outside_the_region_is_refused(other_township_cadre, village_worker, monitored):
    with pytest.raises(ValidationError):
        services.pairing_assign(
            actor=other_township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
        )
    assert not Pairing.objects.exists()


def test_end_closes_the_pairing_once(township_cadre, village_worker, monitored):
    pairing = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    ended = services.pairing_end(
        actor=township_cadre, pairing=pairing, end_reason="no_longer_needed"
    )
    assert ended.ended_on == TODAY and ended.end_reason == "no_longer_needed"
    with pytest.raises(ValidationError):
        services.pairing_end(actor=township_cadre, pairing=pairing, end_reason="other")


def test_contact_in_the_future_is_refused_and_nothing_written(
    township_cadre, village_worker, monitored
):
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    with pytest.raises(ValidationError) as error:
        services.contact_record(
            actor=village_worker,
            household_id=monitored.pk,
            kind="phone",
            contacted_on=TODAY + datetime.timedelta(days=1),
            summary="电话回访",
        )
    assert "contacted_on" in error.value.message_dict
    assert not Contact.objects.exists()


def test_contact_before_the_pairing_is_refused(township_cadre, village_worker, monitored):
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    with pytest.raises(ValidationError) as error:
        services.contact_record(
            actor=village_worker,
            household_id=monitored.pk,
            kind="wechat",
            contacted_on=TODAY - datetime.timedelta(days=1),
            summary="微信沟通",
        )
    assert "contacted_on" in error.value.message_dict
    assert not Contact.objects.exists()


def test_contact_without_a_pairing_is_refused(village_worker, monitored):
    with pytest.raises(ValidationError):
        services.contact_record(
            actor=village_worker,
            household_id=monitored.pk,
            kind="visit",
            contacted_on=TODAY,
            summary="入户走访",
        )
    assert not Contact.objects.exists()


def test_partner_may_not_record_a_contact(partner, township_cadre, village_worker, monitored):
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    with pytest.raises(PermissionDenied):
        services.contact_record(
            actor=partner, household_id=monitored.pk, kind="visit", contacted_on=TODAY, summary="x"
        )


# Optimistic locking of handovers -------------------------------------------------------------


def test_a_handover_from_a_stale_version_is_refused_and_nothing_written(
    township_cadre, village_worker, second_worker, monitored
):
    first = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk, version=0
    )
    seen = first.version
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=second_worker.pk, version=seen
    )
    before = list(Pairing.objects.order_by("pk").values())
    with pytest.raises(EditConflict):
        services.pairing_assign(
            actor=township_cadre,
            household_id=monitored.pk,
            cadre_id=township_cadre.pk,
            version=seen,
        )
    assert list(Pairing.objects.order_by("pk").values()) == before


def test_a_first_pairing_decided_on_no_cadre_is_refused_once_someone_paired(
    township_cadre, village_worker, second_worker, monitored
):
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk, version=0
    )
    with pytest.raises(EditConflict):
        services.pairing_assign(
            actor=township_cadre, household_id=monitored.pk, cadre_id=second_worker.pk, version=0
        )
    assert Pairing.objects.get().cadre == village_worker


def test_a_handover_from_the_current_version_is_accepted_and_counted(
    township_cadre, village_worker, second_worker, monitored
):
    first = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk, version=0
    )
    assert first.version == 1
    second = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=second_worker.pk, version=1
    )
    first.refresh_from_db()
    assert (first.version, second.version) == (2, 3)


def test_after_an_end_a_new_pairing_outnumbers_every_earlier_one(
    township_cadre, village_worker, second_worker, monitored
):
    first = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk, version=0
    )
    ended = services.pairing_end(
        actor=township_cadre, pairing=first, end_reason="rotation", version=1
    )
    assert ended.version == 2
    # Someone who saw the first pairing open cannot hand the household over now.
    with pytest.raises(EditConflict):
        services.pairing_assign(
            actor=township_cadre, household_id=monitored.pk, cadre_id=second_worker.pk, version=1
        )
    # Someone who saw it without a cadre pairs it.
    again = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=second_worker.pk, version=0
    )
    assert again.version == 3


def test_a_stale_end_is_refused(township_cadre, village_worker, monitored):
    pairing = services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    with pytest.raises(EditConflict):
        services.pairing_end(actor=township_cadre, pairing=pairing, end_reason="other", version=7)
    pairing.refresh_from_db()
    assert pairing.is_open and pairing.version == 1


# A contact sent again --------------------------------------------------------------------------


def test_a_contact_sent_again_returns_the_first(township_cadre, village_worker, monitored):
    services.pairing_assign(
        actor=township_cadre, household_id=monitored.pk, cadre_id=village_worker.pk
    )
    sent = {
        "actor": village_worker,
        "household_id": monitored.pk,
        "kind": "phone",
        "contacted_on": TODAY,
        "summary": " 电话回访 ",
        "client_uuid": uuid.uuid4(),
    }
    first, created = services.contact_record(**sent)
    again, created_again = services.contact_record(**sent)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and Contact.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        services.contact_record(**{**sent, "kind": "visit"})
    assert "client_uuid" in refused.value.message_dict
    assert Contact.objects.count() == 1
