"""The signal desk's three answers (link, register the person, close with a reason), the funnel
of what each department's signals became, and a department reading back its own signals'
outcomes without learning whether a number is registered."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from core import id_numbers
from households.models import LifeEvent, Member
from monitoring import selectors
from monitoring.models import Alert, AlertVerification, Signal
from monitoring.services import signals as signal_services
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

NEWCOMER = make_id_number("620423", "19900101", 41)


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def sender(db):
    return User.objects.create_user(
        username="medical_system",
        password="test-password-123",
        role=Role.API_CLIENT,
        region_id=HOME_COUNTY,
    )


def person_signal(sender, external_id: str, number: str, **fields) -> Signal:
    fields.setdefault("status", Signal.Status.UNMATCHED)
    fields.setdefault("occurred_on", datetime.date(2026, 6, 20))
    return Signal.objects.create(
        source="medical_insurance",
        external_id=external_id,
        kind="large_medical_expense",
        id_number_masked=id_numbers.check_id_number(
            number, today=datetime.date(2026, 6, 30)
        ).masked,
        id_number_hash=id_numbers.lookup_hash(number),
        received_by=sender,
        **fields,
    )


def citing_alert(household, signal, **fields) -> Alert:
    reason = {
        "code": "department_signal",
        "severity": "high",
        "weight": 30,
        "evidence": {
            "signals": [
                {"id": signal.pk, "kind": signal.kind, "on": "2026-06-20", "scope": "person"}
            ],
            "days": 90,
        },
    }
    fields.setdefault("status", "open")
    return Alert.objects.create(
        household=household,
        source="rules",
        level="high",
        reasons=[reason],
        reason_codes=["department_signal"],
        opened_at=timezone.now(),
        **fields,
    )


def test_linking_finds_the_member_holding_the_number(township_cadre, household, sender):
    head = household.members.get(relation="head")
    number = make_id_number("620423", "19680315", 1)
    signal = person_signal(sender, "link-1", number)
    linked = signal_services.signal_resolve(
        actor=township_cadre, signal=signal, action="link", household_number=household.number
    )
    assert (linked.status, linked.household_id, linked.member_id) == (
        "matched",
        household.pk,
        head.pk,
    )
    assert linked.reviewed_at is not None


def test_registering_the_person_adds_the_member_and_links_the_signal(
    township_cadre, household, sender
):
    signal = person_signal(sender, "register-1", NEWCOMER)
    resolved = signal_services.signal_resolve(
        actor=township_cadre,
        signal=signal,
        action="register",
        household_number=household.number,
        member={
            "name": "张小明",
            "id_number": NEWCOMER,
            "relation": "child",
            "labour": "ordinary",
            "education": "primary",
        },
    )
    member = Member.objects.get(id_number_hash=id_numbers.lookup_hash(NEWCOMER))
    assert (member.household_id, member.name) == (household.pk, "张小明")
    assert LifeEvent.objects.filter(member=member, kind=LifeEvent.Kind.REGISTERED).exists()
    assert (resolved.status, resolved.member_id, resolved.household_id) == (
        "matched",
        member.pk,
        household.pk,
    )


def test_registering_someone_else_than_the_signals_person_is_refused(
    township_cadre, household, sender
):
    signal = person_signal(sender, "register-2", NEWCOMER)
    other = make_id_number("620423", "19910202", 42)
    members = Member.objects.count()
    with pytest.raises(signal_services.ValidationError) as error:
        signal_services.signal_resolve(
            actor=township_cadre,
            signal=signal,
            action="register",
            household_number=household.number,
            member={"name": "张小明", "id_number": other, "relation": "child"},
        )
    assert "id_number" in error.value.message_dict
    signal.refresh_from_db()
    assert (signal.status, Member.objects.count()) == ("unmatched", members)


def test_registering_on_the_page_shows_the_refusal_on_the_form(county_officer, household, sender):
    signal = person_signal(sender, "register-3", NEWCOMER)
    response = client_for(county_officer).post(
        f"/signals/{signal.pk}/resolve/",
        {
            "action": "register",
            "register-action": "register",
            "register-household_number": household.number,
            "member-name": "张小明",
            "member-id_number": make_id_number("620423", "19910202", 42),
            "member-relation": "child",
            "member-labour": "ordinary",
            "member-education": "primary",
            "member-health": "healthy",
            "member-disability": "none",
            "member-status": "active",
            "member-schooling": "not_in_school",
            "member-work": "none",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "This is not the ID number the department sent" in response.content.decode()
    signal.refresh_from_db()
    assert signal.status == "unmatched"


def test_closing_needs_a_reason_from_the_list_and_other_needs_words(township_cadre, sender):
    signal = person_signal(sender, "close-1", NEWCOMER)
    with pytest.raises(signal_services.ValidationError) as error:
        signal_services.signal_resolve(
            actor=township_cadre, signal=signal, action="dismiss", reason="bored"
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(signal_services.ValidationError) as error:
        signal_services.signal_resolve(
            actor=township_cadre, signal=signal, action="dismiss", reason="other"
        )
    assert "resolution" in error.value.message_dict
    closed = signal_services.signal_resolve(
        actor=township_cadre, signal=signal, action="dismiss", reason="moved_away"
    )
    assert (closed.status, closed.dismiss_reason) == ("resolved", "moved_away")


def test_the_funnel_counts_each_signals_own_outcome(
    township_cadre, county_officer, household, sender
):
    head_number = make_id_number("620423", "19680315", 1)
    enrolled = person_signal(sender, "f-1", head_number, status="matched", household=household)
    warned = person_signal(
        sender,
        "f-2",
        head_number,
        status="matched",
        household=household,
        occurred_on=datetime.date(2026, 6, 1),
    )
    person_signal(sender, "f-3", NEWCOMER)  # waiting for review
    person_signal(sender, "f-4", head_number, status="matched", household=household)  # no warning
    case_alert = citing_alert(household, enrolled, status="case", closed_at=timezone.now())
    AlertVerification.objects.create(alert=case_alert, result="true", verified_by=township_cadre)
    citing_alert(household, warned)
    # A warning of the region that cites no signal is not counted, whatever its source.
    Alert.objects.create(
        household=household,
        source="department",
        level="high",
        status="dismissed",
        opened_at=timezone.now(),
        closed_at=timezone.now(),
    )
    [row] = selectors.signal_funnel(county_officer)
    assert (row.source, row.kind) == ("medical_insurance", "large_medical_expense")
    assert (row.signals, row.matched, row.warnings, row.verified, row.enrolled) == (4, 3, 2, 1, 1)
    response = api(county_officer).get("/api/v1/signals/funnel/")
    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "source": "medical_insurance",
            "kind": "large_medical_expense",
            "signals": 4,
            "matched": 3,
            "warnings": 2,
            "verified": 1,
            "enrolled": 1,
        }
    ]


def test_a_department_reads_back_outcomes_not_matches(township_cadre, household, sender):
    head_number = make_id_number("620423", "19680315", 1)
    matched = person_signal(sender, "rb-1", head_number, status="matched", household=household)
    unmatched = person_signal(sender, "rb-2", NEWCOMER)
    response = api(sender).get("/api/v1/signals/?source=medical_insurance")
    assert response.status_code == 200, response.content
    rows = {row["external_id"]: row for row in response.json()["results"]}
    strip = {"id", "external_id", "id_number_masked", "received_at"}
    # A registered and an unregistered number read back alike: nothing about the match.
    assert {k: v for k, v in rows["rb-1"].items() if k not in strip} == {
        k: v for k, v in rows["rb-2"].items() if k not in strip
    }
    assert (rows["rb-1"]["outcome"], rows["rb-1"]["status"], rows["rb-1"]["household"]) == (
        "received",
        None,
        None,
    )
    signal_services.signal_resolve(
        actor=township_cadre,
        signal=unmatched,
        action="dismiss",
        reason="wrong_number",
        resolution="张 said the number is his cousin's",
    )
    citing_alert(household, matched, status="case", closed_at=timezone.now())
    rows = {
        row["external_id"]: row for row in api(sender).get("/api/v1/signals/").json()["results"]
    }
    assert (
        rows["rb-2"]["outcome"],
        rows["rb-2"]["dismiss_reason"],
        rows["rb-2"]["resolution"],
        rows["rb-2"]["reviewed_at"],  # when a reviewer acted is not the sender's to know
    ) == (
        "closed",
        "wrong_number",
        None,
        None,
    )
    assert rows["rb-1"]["outcome"] == "enrolled"


def test_a_department_reads_none_of_another_senders_person_signals(sender):
    person_signal(sender, "mine-1", NEWCOMER)
    other = User.objects.create_user(
        username="education_system",
        password="test-password-123",
        role=Role.API_CLIENT,
        region_id=HOME_TOWNSHIP,
    )
    assert api(other).get("/api/v1/signals/").json()["results"] == []
    assert api(sender).get("/api/v1/signals/funnel/").status_code == 403


def test_outsider_is_refused_the_review_page_and_the_funnel(
    other_township_cadre, other_county_officer, sender
):
    signal = person_signal(sender, "out-1", NEWCOMER)
    assert client_for(other_township_cadre).get(f"/signals/{signal.pk}/").status_code == 404
    assert selectors.signal_funnel(other_county_officer) == []


def test_a_sending_system_is_refused_the_desks_pages(sender):
    signal = person_signal(sender, "page-1", NEWCOMER)
    client = client_for(sender)
    assert client.get("/signals/?status=matched").status_code == 403
    assert client.get(f"/signals/{signal.pk}/").status_code == 403
