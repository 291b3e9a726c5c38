"""A small world built once per module: one county's data inside every persona's reach, and the
same again in another county, so that a test can ask both "may you?" and "may you, over there?".

The world is committed (other connections, such as a live server, see it) and removed after the
module; each test still runs inside its own rolled-back transaction, so an allowed POST leaves
nothing behind for the next test.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import Role, User
from households import services as household_services
from households.models import Household, Member, Region, SensitiveAccess
from tests.conftest import (
    HOME_COUNTY,
    HOME_TOWNSHIP,
    HOME_VILLAGE,
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
)
from tests.idgen import make_id_number

PASSWORD = "test-password-123"

# The personas of the matrix, in the order a failure lists them.
PERSONAS = (
    "anonymous",
    "village_worker",
    "township_cadre",
    "county_officer",
    "other_township_cadre",
    "other_county_officer",
    "partner",
    "auditor",
    "api_client",
)

# Whose eyes may fall on each scope's names and numbers (everyone else: never, on any page).
SCOPE_VIEWERS = {
    "home": {"village_worker", "township_cadre", "county_officer", "partner", "auditor"}
    | {"api_client"},
    "outside": {"other_county_officer"},
}


@dataclass
class Scope:
    """Every kind of object a URL can point at, all in one village."""

    name: str
    village: Region
    household: Household
    head: Member
    spouse: Member
    visit: object
    alert: object
    signal: object
    scan_run: object
    income_line: object
    rule: object
    cadence: object
    case: object
    measure: object
    partner: object
    offer: object
    access: SensitiveAccess
    staff: dict[str, User] = field(default_factory=dict)

    @property
    def markers(self) -> list[str]:
        """What must never reach someone outside the scope: the household's number and names."""
        return [self.household.number, self.head.name, self.spouse.name]


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    home: Scope
    outside: Scope

    def scope(self, name: str) -> Scope:
        return self.home if name == "home" else self.outside

    def client(self, persona: str) -> Client:
        """A client signed in as the persona (a token for the API client, nobody for anonymous)."""
        if persona == "anonymous":
            return Client()
        if persona == "api_client":
            return Client(HTTP_AUTHORIZATION=f"Token {self.tokens['api_client']}")
        client = Client()
        client.force_login(self.users[persona])
        return client


def _user(username: str, role: str, region: str | None, **extra) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, region_id=region, **extra
    )


def _build_scope(name: str, *, village: str, county: str, cadre: User, worker: User, officer):
    from assistance.models import Measure, MeasureKind, Partner, PartnerKind, PartnerOffer
    from assistance.services import cases as case_services
    from monitoring.models import (
        Alert,
        AlertSource,
        IncomeLine,
        RuleConfig,
        ScanRun,
        Signal,
        VisitCadence,
    )
    from monitoring.rules import RULES
    from monitoring.services.visits import visit_record

    names = {"home": ("冯守田", "韩桂芝"), "outside": ("褚远山", "卫秋菊")}[name]
    household = household_services.household_create(
        actor=cadre,
        village_code=village,
        poverty_status="lifted_out",
        poverty_exit_year=2019,
        address=f"{name}村1社1号",
        phone="13893001234" if name == "home" else "13993004321",
        bank_account="6228480402564890018" if name == "home" else "6228480402564890026",
    )
    Household.objects.filter(pk=household.pk).update(
        created_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    )
    county_digits = county[:6]
    head = household_services.member_create(
        actor=cadre,
        household_id=household.pk,
        name=names[0],
        id_number=make_id_number(county_digits, "19680315", 11 if name == "home" else 21),
        relation="head",
        labour="ordinary",
        education="junior",
        health="chronic",
        health_note="高血压",
        phone="13893005678",
    )
    spouse = household_services.member_create(
        actor=cadre,
        household_id=household.pk,
        name=names[1],
        id_number=make_id_number(county_digits, "19700621", 12 if name == "home" else 22),
        relation="spouse",
        labour="ordinary",
        education="primary",
    )
    visit, _ = visit_record(
        actor=worker,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        visited_on=datetime.date.today() - datetime.timedelta(days=1),
        household_size=2,
        events=[],
        wage_income=Decimal("4000"),
        business_income=Decimal("0"),
        property_income=Decimal("0"),
        transfer_income=Decimal("1000"),
        medical_spending=Decimal("0"),
        education_spending=Decimal("0"),
        disaster_loss=Decimal("0"),
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
    )
    household.refresh_from_db()
    alert = Alert.objects.create(
        household=household,
        source=AlertSource.CADRE,
        level="high",
        score=60,
        reasons=[],
        opened_at=datetime.datetime.now(datetime.UTC),
    )
    signal = Signal.objects.create(
        source="medical_insurance",
        external_id=f"matrix-{name}",
        kind="large_medical_expense",
        id_number_hash=head.id_number_hash,
        id_number_masked=head.id_number_masked,
        member=head,
        household=household,
        region_id=village,
        occurred_on=datetime.date.today() - datetime.timedelta(days=3),
        amount=Decimal("30000"),
        detail=f"{name} 住院",
        status=Signal.Status.MATCHED,
        received_by=officer,
    )
    scan_run = ScanRun.objects.create(
        scope=county[:6], trigger=ScanRun.Trigger.MANUAL, as_of=datetime.date.today()
    )
    income_line = IncomeLine.objects.create(
        region_id=county, year=2031, amount=Decimal("7000"), note=f"matrix {name}"
    )
    rule = RuleConfig.objects.create(code=RULES[0].code, region_id=county, weight=50)
    cadence = VisitCadence.objects.create(region_id=county, kind="monitored", days=30)
    case = case_services.case_propose(
        actor=cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
        responsible_id=cadre.pk,
    )
    partner = Partner.objects.create(
        name=f"{name} 恒达农业有限公司",
        kind=PartnerKind.PRIVATE_ENTERPRISE,
        area_id=county,
        contact_name="刘经理",
        contact_phone="0943-5521234",
    )
    offer = PartnerOffer.objects.create(
        partner=partner,
        kind="jobs",
        measure_kind=MeasureKind.values[0],
        title=f"{name} 农业岗位",
        area_id=county,
        available_from=datetime.date.today(),
    )
    measure = Measure.objects.create(
        case=case,
        kind=MeasureKind.values[0],
        title=f"{name} 产业扶持",
        partner=partner,
        responsible=cadre,
        planned_start=datetime.date.today(),
        created_by=cadre,
    )
    access = SensitiveAccess.objects.create(
        user=cadre,
        member=head,
        household=household,
        fields="id_number",
        reason="matrix",
        channel="page",
    )
    return Scope(
        name=name,
        village=Region.objects.get(pk=village),
        household=household,
        head=head,
        spouse=spouse,
        visit=visit,
        alert=alert,
        signal=signal,
        scan_run=scan_run,
        income_line=income_line,
        rule=rule,
        cadence=cadence,
        case=case,
        measure=measure,
        partner=partner,
        offer=offer,
        access=access,
        staff={"cadre": cadre, "worker": worker},
    )


def build_world() -> World:
    from knox.models import AuthToken

    outside_township = (
        Region.objects.filter(code__startswith=OTHER_COUNTY[:6], level="township")
        .order_by("code")
        .first()
    )
    outside_village = (
        Region.objects.filter(code__startswith=outside_township.code[:9], level="village")
        .order_by("code")
        .first()
    )
    users = {
        "village_worker": _user("m_village_worker", Role.VILLAGE_WORKER, HOME_VILLAGE),
        "township_cadre": _user("m_township_cadre", Role.TOWNSHIP_CADRE, HOME_TOWNSHIP),
        "county_officer": _user(
            "m_county_officer", Role.COUNTY_OFFICER, HOME_COUNTY, is_staff=True
        ),
        "other_township_cadre": _user(
            "m_other_township_cadre", Role.TOWNSHIP_CADRE, OTHER_TOWNSHIP
        ),
        "other_county_officer": _user(
            "m_other_county_officer", Role.COUNTY_OFFICER, OTHER_COUNTY, is_staff=True
        ),
        "auditor": _user("m_auditor", Role.AUDITOR, HOME_COUNTY),
        "api_client": _user("m_api_client", Role.API_CLIENT, HOME_COUNTY),
        "superuser": _user("m_superuser", "", None, is_staff=True, is_superuser=True),
    }
    outside_cadre = _user("m_outside_cadre", Role.TOWNSHIP_CADRE, outside_township.code)
    outside_worker = _user("m_outside_worker", Role.VILLAGE_WORKER, outside_village.code)
    home = _build_scope(
        "home",
        village=HOME_VILLAGE,
        county=HOME_COUNTY,
        cadre=users["township_cadre"],
        worker=users["village_worker"],
        officer=users["county_officer"],
    )
    outside = _build_scope(
        "outside",
        village=outside_village.code,
        county=OTHER_COUNTY,
        cadre=outside_cadre,
        worker=outside_worker,
        officer=users["other_county_officer"],
    )
    users["partner"] = _user("m_partner", Role.PARTNER, HOME_COUNTY, partner=home.partner)
    _, token = AuthToken.objects.create(users["api_client"])
    return World(users=users, tokens={"api_client": token}, home=home, outside=outside)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_world()
    yield built
    with django_db_blocker.unblock():
        # Back to the regions every other module expects, as serialized_rollback would.
        call_command("flush", interactive=False, verbosity=0)
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
