"""Delegations of a role's steps: given, refused, taken, recorded, expired and revoked."""

import datetime

import pghistory.models
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, User
from assistance.models import CaseStep, Delegation
from assistance.selectors import delegations_covering
from assistance.services import delegations as delegation_services
from monitoring.models import Notification
from tests.assistance.conftest import step
from tests.conftest import (
    HOME_TOWNSHIP,
    HOME_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    OTHER_VILLAGE_SAME_TOWNSHIP,
    client_for,
)

VILLAGE_STEPS = "assistance.record_village_step"


@pytest.fixture
def work_team_member(db):
    """A member of the home village's resident work team: a township cadre's account, stationed
    in the village (its region), holding no village step of its own."""
    return User.objects.create_user(
        username="work_team",
        password="test-password-123",
        role=Role.TOWNSHIP_CADRE,
        region_id=HOME_VILLAGE,
        first_name="驻村队员",
    )


def give(actor, delegate, *, region=HOME_VILLAGE, permission=VILLAGE_STEPS, days=(0, 30), clock):
    today = clock.today()
    return delegation_services.delegation_create(
        actor=actor,
        delegate_id=delegate.pk,
        permission=permission,
        region_code=region,
        starts_on=today + datetime.timedelta(days=days[0]),
        ends_on=today + datetime.timedelta(days=days[1]),
        reason="村级信息员空缺，由驻村工作队代办",
    )


def test_a_township_cadre_delegates_the_village_steps_of_its_village(
    township_cadre, work_team_member, clock
):
    delegation = give(township_cadre, work_team_member, clock=clock)
    assert delegation.delegator == township_cadre and delegation.region_id == HOME_VILLAGE
    assert list(delegations_covering(work_team_member, clock.today())) == [delegation]
    assert Notification.objects.filter(user=work_team_member).exists()
    # Recorded in the history, as every write of the audit trail.
    events = pghistory.models.Events.objects.references(delegation)
    assert events.filter(pgh_label="insert").exists()


@pytest.mark.parametrize(
    ("who", "delegate", "permission", "region", "field", "code"),
    [
        # A township cadre may hand on the village's steps only, not its own review.
        ("township_cadre", "work_team", "assistance.review_case", HOME_VILLAGE, "permission", None),
        # To a user outside the region.
        ("township_cadre", "other_township_cadre", VILLAGE_STEPS, HOME_VILLAGE, "delegate", None),
        # To a role that may not take the step: a partner, an auditor; a village worker, who
        # already takes it.
        ("township_cadre", "partner", VILLAGE_STEPS, HOME_VILLAGE, "delegate", None),
        ("township_cadre", "auditor", VILLAGE_STEPS, HOME_VILLAGE, "delegate", None),
        ("county_officer", "work_team", "assistance.approve_case", HOME_VILLAGE, "delegate", None),
        ("township_cadre", "village_worker", VILLAGE_STEPS, HOME_VILLAGE, "delegate", None),
        # A region outside the actor's, or not a village or township.
        ("township_cadre", "work_team", VILLAGE_STEPS, OTHER_TOWNSHIP_VILLAGE, "region", None),
        ("county_officer", "work_team", VILLAGE_STEPS, "620423000000", "region", None),
        # Not a step that may be delegated.
        (
            "county_officer",
            "work_team",
            "assistance.propose_case",
            HOME_VILLAGE,
            "permission",
            None,
        ),
    ],
)
def test_a_delegation_that_may_not_be_given_is_refused_with_nothing_written(
    request, work_team_member, clock, who, delegate, permission, region, field, code
):
    actor = request.getfixturevalue(who)
    delegate_user = (
        work_team_member if delegate == "work_team" else request.getfixturevalue(delegate)
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        give(actor, delegate_user, permission=permission, region=region, clock=clock)
    assert field in refused.value.message_dict
    message = " ".join(refused.value.message_dict[field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not Delegation.objects.exists()


def test_overlapping_delegations_are_refused(township_cadre, work_team_member, clock):
    give(township_cadre, work_team_member, days=(0, 30), clock=clock)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        give(township_cadre, work_team_member, days=(20, 60), clock=clock)
    assert refused.value.code == "overlap"
    assert "已" in refused.value.messages[0]
    assert Delegation.objects.count() == 1
    # Days after it, or another village, are fine.
    give(township_cadre, work_team_member, days=(31, 60), clock=clock)
    assert Delegation.objects.count() == 2


def test_a_township_delegation_and_one_of_its_villages_overlap_both_ways(township_cadre, clock):
    """A delegation for the township holds its villages' steps already: a second one for a
    village inside it, to the same person, is an overlap, and so is the township after the
    village. Another township's delegation, or another person, is not."""
    from tests.conftest import _user

    stationed = _user("stationed", Role.TOWNSHIP_CADRE, HOME_TOWNSHIP, first_name="驻镇队员")
    give(township_cadre, stationed, region=HOME_TOWNSHIP, days=(0, 30), clock=clock)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        give(township_cadre, stationed, region=HOME_VILLAGE, days=(10, 40), clock=clock)
    assert refused.value.code == "overlap"
    assert Delegation.objects.count() == 1

    Delegation.objects.all().delete()
    give(township_cadre, stationed, region=OTHER_VILLAGE_SAME_TOWNSHIP, days=(0, 30), clock=clock)
    with pytest.raises(ValidationError) as refused:
        give(township_cadre, stationed, region=HOME_TOWNSHIP, days=(30, 40), clock=clock)
    assert refused.value.code == "overlap"
    assert Delegation.objects.count() == 1
    # A sibling village is not inside the other; days after the township's are fine.
    give(township_cadre, stationed, region=HOME_VILLAGE, days=(0, 30), clock=clock)
    give(township_cadre, stationed, region=HOME_TOWNSHIP, days=(31, 40), clock=clock)
    assert Delegation.objects.count() == 3


def test_bad_dates_and_no_reason_are_refused(township_cadre, work_team_member, clock):
    for days in ((-1, 5), (5, 2), (0, 400)):
        with pytest.raises(ValidationError):
            give(township_cadre, work_team_member, days=days, clock=clock)
    with pytest.raises(ValidationError) as refused:
        delegation_services.delegation_create(
            actor=township_cadre,
            delegate_id=work_team_member.pk,
            permission=VILLAGE_STEPS,
            region_code=HOME_VILLAGE,
            starts_on=clock.today(),
            ends_on=clock.today(),
            reason=" ",
        )
    assert "reason" in refused.value.message_dict
    assert not Delegation.objects.exists()


def test_a_village_worker_may_not_delegate(village_worker, work_team_member, clock):
    with pytest.raises(PermissionDenied):
        give(village_worker, work_team_member, clock=clock)
    assert not Delegation.objects.exists()


def test_a_delegated_step_is_taken_and_records_its_delegation(
    case, township_cadre, county_officer, work_team_member, clock
):
    # Without a delegation the work team member may not take the village's step.
    with pytest.raises(PermissionDenied):
        step(work_team_member, case, "consent")
    delegation = give(county_officer, work_team_member, clock=clock)
    clock.advance(1)
    step(work_team_member, case, "consent")
    taken = CaseStep.objects.get(case=case, kind="consent")
    assert taken.actor == work_team_member and taken.delegation == delegation
    # The case's history shows the step with its delegation.
    event = CaseStep.pgh_event_model.objects.filter(pgh_obj=taken).order_by("-pgh_id").first()
    assert event.delegation_id == delegation.pk and event.pgh_context.metadata["user"] == (
        work_team_member.pk
    )
    # The page says so.
    page = client_for(county_officer).get(reverse("case-detail", args=[case.pk]))
    assert "under delegation" in page.content.decode() or "受托" in page.content.decode()
    # A step the role takes itself records no delegation.
    step(township_cadre, case, "info_check", info_check_result="consistent")
    assert CaseStep.objects.get(case=case, kind="info_check").delegation is None


def test_a_township_delegation_covers_its_villages(
    case, county_officer, work_team_member, township_cadre, clock
):
    # The township's cadre, delegated the village steps of the whole township.
    work_team_member.region_id = HOME_TOWNSHIP
    work_team_member.save()
    give(county_officer, work_team_member, region=HOME_TOWNSHIP, clock=clock)
    step(work_team_member, case, "consent")
    assert CaseStep.objects.get(case=case, kind="consent").delegation.region_id == HOME_TOWNSHIP


def test_a_delegation_of_another_village_does_not_cover_the_case(
    case, township_cadre, work_team_member, clock
):
    work_team_member.region_id = HOME_TOWNSHIP
    work_team_member.save()
    give(township_cadre, work_team_member, region=OTHER_VILLAGE_SAME_TOWNSHIP, clock=clock)
    with pytest.raises(PermissionDenied):
        step(work_team_member, case, "consent")


def test_an_expired_delegation_no_longer_lets_the_step_be_taken(
    case, township_cadre, work_team_member, clock
):
    give(township_cadre, work_team_member, days=(0, 2), clock=clock)
    clock.advance(3)
    with pytest.raises(PermissionDenied):
        step(work_team_member, case, "consent")
    assert CaseStep.objects.get(case=case, kind="consent").decision == ""
    assert not delegations_covering(work_team_member, clock.today()).exists()


def test_a_delegation_not_yet_started_does_not_count(case, township_cadre, work_team_member, clock):
    give(township_cadre, work_team_member, days=(2, 9), clock=clock)
    with pytest.raises(PermissionDenied):
        step(work_team_member, case, "consent")


def test_a_revoked_delegation_no_longer_counts(case, township_cadre, work_team_member, clock):
    delegation = give(township_cadre, work_team_member, clock=clock)
    delegation_services.delegation_revoke(actor=township_cadre, delegation=delegation)
    delegation.refresh_from_db()
    assert delegation.revoked_by == township_cadre and delegation.revoked_at is not None
    with pytest.raises(PermissionDenied):
        step(work_team_member, case, "consent")
    with pytest.raises(ValidationError):
        delegation_services.delegation_revoke(actor=township_cadre, delegation=delegation)


def test_another_township_may_not_revoke(
    township_cadre, other_township_cadre, work_team_member, clock
):
    delegation = give(township_cadre, work_team_member, clock=clock)
    with pytest.raises(PermissionDenied):
        delegation_services.delegation_revoke(actor=other_township_cadre, delegation=delegation)
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_the_delegation_page_gives_and_revokes(township_cadre, work_team_member, clock):
    client = client_for(township_cadre)
    page = client.get(reverse("delegation-list"))
    assert page.status_code == 200
    today = clock.today()
    body = {
        "delegate": work_team_member.pk,
        "permission": VILLAGE_STEPS,
        "region": HOME_VILLAGE,
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=10)).isoformat(),
        "reason": "村级信息员空缺",
    }
    assert client.post(reverse("delegation-list"), body).status_code == 302
    delegation = Delegation.objects.get()
    # The same again overlaps: refused on the form, nothing written.
    again = client.post(reverse("delegation-list"), body)
    assert again.status_code == 400 and Delegation.objects.count() == 1
    response = client.post(reverse("delegation-revoke", args=[delegation.pk]))
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_the_delegation_api(township_cadre, other_township_cadre, work_team_member, clock):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(township_cadre)
    today = clock.today()
    body = {
        "delegate": work_team_member.pk,
        "permission": VILLAGE_STEPS,
        "region": HOME_VILLAGE,
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=10)).isoformat(),
        "reason": "村级信息员空缺",
    }
    created = api.post("/api/v1/delegations/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.post("/api/v1/delegations/", body, format="json").status_code == 400
    form = api.post(
        "/api/v1/delegations/", "reason=x", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    outsider = APIClient()
    outsider.force_authenticate(other_township_cadre)
    assert outsider.get(f"/api/v1/delegations/{pk}/").status_code == 404
    assert outsider.post(f"/api/v1/delegations/{pk}/revoke/").status_code == 404
    revoked = api.post(f"/api/v1/delegations/{pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert Delegation.objects.count() == 1


def test_the_audit_trail_shows_the_delegation_to_the_county(
    county_officer, township_cadre, work_team_member, other_county_officer, clock
):
    delegation = give(township_cadre, work_team_member, clock=clock)
    delegation_services.delegation_revoke(actor=county_officer, delegation=delegation)
    page = client_for(county_officer).get(reverse("audit-list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "村级信息员空缺" in body or "delegation" in body.lower() or "委托" in body
    elsewhere = client_for(other_county_officer).get(reverse("audit-list")).content.decode()
    assert "村级信息员空缺" not in elsewhere


def test_a_township_cadre_may_not_revoke_a_county_delegation_it_could_not_give(
    township_cadre, county_officer, work_team_member, clock
):
    """A county officer hands the township's review to another county officer; the township's
    own cadre covers the region but may not hand that step on, so may not take it back either."""
    colleague = User.objects.create_user(
        username="county_colleague",
        password="test-password-123",
        role=Role.COUNTY_OFFICER,
        region_id=county_officer.region_id,
    )
    delegation = give(
        county_officer,
        colleague,
        region=HOME_TOWNSHIP,
        permission="assistance.review_case",
        clock=clock,
    )
    refused = client_for(township_cadre).post(
        f"/api/v1/delegations/{delegation.pk}/revoke/", content_type="application/json"
    )
    assert refused.status_code == 403
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    # The township cadre still revokes the village steps it hands on itself, given by others.
    village = give(county_officer, work_team_member, region=HOME_VILLAGE, clock=clock)
    delegation_services.delegation_revoke(actor=township_cadre, delegation=village)
    village.refresh_from_db()
    assert village.revoked_by == township_cadre


def test_a_delegation_reads_as_words_where_a_history_names_it(
    township_cadre, work_team_member, clock
):
    # A case's history shows the delegation its step was taken under: not the permission's code.
    delegation = give(township_cadre, work_team_member, clock=clock)
    words = str(delegation)
    assert VILLAGE_STEPS not in words and HOME_VILLAGE not in words
    assert delegation.steps_label in words and delegation.region.name in words
    assert work_team_member.display_name in words and "委托" in words
