"""The signal desk: a reviewer matches a signal waiting for review to a household of their
region, or closes it with a reason; through the page and the API alike, and never outside
their region."""

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import Role, User
from monitoring.models import Signal
from monitoring.services import signals as signal_services
from tests.conftest import HOME_TOWNSHIP, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(db):
    """A person signal nobody in the region matched, sent by a system of the home township."""
    sender = User.objects.create_user(
        username="township_system",
        password="test-password-123",
        role=Role.API_CLIENT,
        region_id=HOME_TOWNSHIP,
    )
    return Signal.objects.create(
        source="medical_insurance",
        external_id="desk-1",
        kind="large_medical_expense",
        id_number_masked="620423********0012",
        id_number_hash="0" * 64,
        occurred_on=datetime.date(2026, 6, 20),
        status=Signal.Status.UNMATCHED,
        received_by=sender,
    )


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_a_cadre_matches_a_waiting_signal_to_a_household_of_their_region(
    township_cadre, household, waiting, django_capture_on_commit_callbacks
):
    resolved = signal_services.signal_resolve(
        actor=township_cadre, signal=waiting, household_number=household.number
    )
    assert (resolved.status, resolved.household_id) == (Signal.Status.MATCHED, household.pk)
    household.refresh_from_db()
    assert household.evaluation_pending_since is not None


def test_a_cadre_closes_a_waiting_signal_with_a_reason(township_cadre, waiting):
    signal_services.signal_resolve(actor=township_cadre, signal=waiting, resolution="moved away")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.resolution) == (Signal.Status.RESOLVED, "moved away")


def test_closing_without_a_reason_or_a_household_is_refused(township_cadre, waiting):
    with pytest.raises(signal_services.ValidationError) as error:
        signal_services.signal_resolve(actor=township_cadre, signal=waiting)
    assert "resolution" in error.value.message_dict
    waiting.refresh_from_db()
    assert waiting.status == Signal.Status.UNMATCHED


def test_a_household_outside_the_region_reads_as_none(
    township_cadre, other_township_household, waiting
):
    with pytest.raises(signal_services.ValidationError) as error:
        signal_services.signal_resolve(
            actor=township_cadre, signal=waiting, household_number=other_township_household.number
        )
    assert "household_number" in error.value.message_dict
    waiting.refresh_from_db()
    assert (waiting.status, waiting.household_id) == (Signal.Status.UNMATCHED, None)


def test_a_settled_signal_is_not_resolved_again(township_cadre, waiting):
    signal_services.signal_resolve(actor=township_cadre, signal=waiting, resolution="moved away")
    with pytest.raises(signal_services.ValidationError):
        signal_services.signal_resolve(actor=township_cadre, signal=waiting, resolution="again")


def test_a_cadre_resolves_through_the_api(township_cadre, household, waiting):
    response = api(township_cadre).post(
        f"/api/v1/signals/{waiting.pk}/resolve/",
        {"household_number": household.number},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["household"]) == ("matched", household.pk)


def test_a_cadre_resolves_from_the_signal_page(township_cadre, waiting):
    client = client_for(township_cadre)
    listed = client.get("/signals/")
    assert f"/signals/{waiting.pk}/" in listed.content.decode()
    review = client.get(f"/signals/{waiting.pk}/")
    assert f"/signals/{waiting.pk}/resolve/" in review.content.decode()
    response = client.post(
        f"/signals/{waiting.pk}/resolve/",
        {
            "action": "dismiss",
            "dismiss-action": "dismiss",
            "dismiss-reason": "other",
            "dismiss-resolution": "duplicate record",
        },
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.resolution, waiting.dismiss_reason) == (
        Signal.Status.RESOLVED,
        "duplicate record",
        "other",
    )
    assert waiting.reviewed_at is not None


def test_the_page_says_what_was_wrong(township_cadre, waiting):
    response = client_for(township_cadre).post(
        f"/signals/{waiting.pk}/resolve/", {"household_number": "no-such"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]]
    waiting.refresh_from_db()
    assert waiting.status == Signal.Status.UNMATCHED


def test_outsider_cannot_resolve_a_signal(other_township_cadre, waiting):
    response = api(other_township_cadre).post(
        f"/api/v1/signals/{waiting.pk}/resolve/", {"resolution": "not mine"}, format="json"
    )
    assert response.status_code == 404
    page = client_for(other_township_cadre).post(
        f"/signals/{waiting.pk}/resolve/", {"resolution": "not mine"}
    )
    assert page.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Signal.Status.UNMATCHED


def test_a_role_without_the_desk_cannot_resolve(village_worker, auditor, waiting):
    for user in (village_worker, auditor):
        response = api(user).post(
            f"/api/v1/signals/{waiting.pk}/resolve/", {"resolution": "x"}, format="json"
        )
        assert response.status_code in (403, 404)
    waiting.refresh_from_db()
    assert waiting.status == Signal.Status.UNMATCHED
