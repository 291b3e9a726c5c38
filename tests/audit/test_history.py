"""History of every write: trigger-based, so bulk and queryset writes are recorded, with the actor
when a service names one, and without a request at all."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from accounts.models import Role, User
from assistance.models import Partner, PartnerKind
from households.models import Household, Member
from monitoring.models import Alert, AlertSource, IncomeLine, Signal, SignalKind, SignalSource
from tests.conftest import HOME_COUNTY, HOME_VILLAGE, OTHER_COUNTY

pytestmark = pytest.mark.django_db

# Every kind of row the issue names: household, member, visit, signal, alert, case, step,
# measure, partner, offer, income line, rule, user and role data.
ISSUE_KINDS = [
    "households.Household",
    "households.Member",
    "monitoring.Visit",
    "monitoring.VisitEvent",
    "monitoring.Signal",
    "monitoring.Alert",
    "monitoring.AlertEvent",
    "assistance.Case",
    "assistance.CaseStep",
    "assistance.Measure",
    "assistance.Partner",
    "assistance.PartnerOffer",
    "monitoring.IncomeLine",
    "monitoring.RuleConfig",
    "monitoring.VisitCadence",
    "accounts.User",
    "accounts.User_groups",
    "accounts.User_user_permissions",
]


def _events(model, **lookup):
    return _event_model(model)._base_manager.filter(**lookup).order_by("pgh_id")


def _event_model(model):
    from pghistory.models import Event

    return next(
        candidate
        for candidate in apps.get_models()
        if issubclass(candidate, Event)
        and not candidate._meta.proxy
        and candidate.pgh_tracked_model is model
    )


@pytest.mark.parametrize("label", ISSUE_KINDS)
def test_every_kind_of_row_records_inserts_updates_and_deletes_in_the_database(label):
    model = apps.get_model(label)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
               WHERE c.relname = %s AND NOT t.tgisinternal""",
            [model._meta.db_table],
        )
        names = {name for (name,) in cursor.fetchall()}
    for operation in ("insert_insert", "update_update", "delete_delete"):
        assert any(name.startswith(f"pgtrigger_{operation}_") for name in names), (label, names)


def test_household_bulk_create_bulk_update_queryset_update_and_delete(household):
    made = Household.objects.bulk_create(
        [
            Household(
                number=f"62042310020099{index:02}",
                village_id=HOME_VILLAGE,
                poverty_status="ordinary",
            )
            for index in range(2)
        ]
    )
    for row in made:
        row.address = "批量地址"
    Household.objects.bulk_update(made, ["address"])
    Household.objects.filter(pk=made[0].pk).update(phone="0943-1234567")
    Household.objects.filter(pk=made[1].pk).delete()
    first = _events(Household, pgh_obj_id=made[0].pk)
    assert [event.pgh_label for event in first] == ["insert", "update", "update"]
    assert [event.address for event in first][1:] == ["批量地址", "批量地址"]
    assert first.last().phone == "0943-1234567"
    assert _events(Household, pgh_obj_id=made[1].pk).last().pgh_label == "delete"


def test_member_bulk_update_and_queryset_update(household):
    members = list(household.members.all())
    for member in members:
        member.education = "college"
    Member.objects.bulk_update(members, ["education"])
    Member.objects.filter(household=household).update(labour="lost")
    for member in members:
        events = _events(Member, pgh_obj_id=member.pk, pgh_label="update")
        assert [event.education for event in events][-2:] == ["college", "college"]
        assert events.last().labour == "lost"


def test_alert_signal_partner_and_income_line_bulk_writes(household):
    alert = Alert.objects.bulk_create(
        [
            Alert(
                household=household,
                source=AlertSource.CADRE,
                level="high",
                score=60,
                reasons=[],
                opened_at=timezone.now(),
            )
        ]
    )[0]
    Alert.objects.filter(pk=alert.pk).update(score=70)
    assert [e.score for e in _events(Alert, pgh_obj_id=alert.pk)] == [60, 70]

    signal = Signal.objects.bulk_create(
        [
            Signal(
                source=SignalSource.CIVIL_AFFAIRS,
                external_id="MZ-1",
                kind=SignalKind.ASSISTANCE_GRANTED,
                household=household,
                occurred_on=datetime.date(2026, 3, 1),
                status=Signal.Status.MATCHED,
            )
        ]
    )[0]
    Signal.objects.filter(pk=signal.pk).update(status=Signal.Status.RESOLVED)
    assert [e.status for e in _events(Signal, pgh_obj_id=signal.pk)] == ["matched", "resolved"]

    partner = Partner.objects.bulk_create(
        [Partner(name="合作社", kind=PartnerKind.PRIVATE_ENTERPRISE, area_id=HOME_COUNTY)]
    )[0]
    partner.name = "合作社（改名）"
    Partner.objects.bulk_update([partner], ["name"])
    Partner.objects.filter(pk=partner.pk).delete()
    assert [e.pgh_label for e in _events(Partner, pgh_obj_id=partner.pk)] == [
        "insert",
        "update",
        "delete",
    ]

    line = IncomeLine.objects.bulk_create(
        [IncomeLine(region_id=HOME_COUNTY, year=2031, amount=Decimal("7000"))]
    )[0]
    IncomeLine.objects.filter(pk=line.pk).update(amount=Decimal("7200"))
    amounts = [e.amount for e in _events(IncomeLine, pgh_obj_id=line.pk)]
    assert amounts == [Decimal("7000"), Decimal("7200")]


def test_role_region_flags_and_groups_are_recorded_but_not_the_password(county_officer):
    User.objects.filter(pk=county_officer.pk).update(
        role=Role.AUDITOR, region_id=OTHER_COUNTY, is_active=False, is_staff=False
    )
    User.objects.filter(pk=county_officer.pk).update(is_superuser=True)
    group = Group.objects.create(name="审计组")
    county_officer.groups.add(group)
    county_officer.groups.remove(group)
    updates = _events(User, pgh_obj_id=county_officer.pk, pgh_label="update")
    assert [(e.role, e.region_id, e.is_active, e.is_superuser) for e in updates] == [
        ("auditor", OTHER_COUNTY, False, False),
        ("auditor", OTHER_COUNTY, False, True),
    ]
    links = _events(User.groups.through, user_id=county_officer.pk)
    assert [(e.pgh_label, e.group_id) for e in links] == [
        ("insert", group.pk),
        ("delete", group.pk),
    ]
    before = _events(User, pgh_obj_id=county_officer.pk).count()
    county_officer.refresh_from_db()
    county_officer.set_password("another-password-456")
    county_officer.last_login = timezone.now()
    county_officer.save()
    assert _events(User, pgh_obj_id=county_officer.pk).count() == before
    assert not any(f.name == "password" for f in _event_model(User)._meta.fields)


def test_a_write_through_a_service_names_its_actor(household, township_cadre):
    events = _events(Household, pgh_obj_id=household.pk)
    assert events.first().pgh_context.metadata["user"] == township_cadre.pk
    head = household.members.get(relation="head")
    assert _events(Member, pgh_obj_id=head.pk).first().pgh_context.metadata["user"] == (
        township_cadre.pk
    )
