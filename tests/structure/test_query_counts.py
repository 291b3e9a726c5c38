"""Every list costs the same number of queries for a few rows as for three times as many.

A list that reads a related row per item (an N+1) looks fine in a test with two rows and falls over
in a county with fifty thousand: the query count is the signal that does not depend on timing. Each
list is fetched with N rows and with 3N rows, built through the real services, and the two counts
must be equal.
"""

import datetime
import itertools
import uuid
import zoneinfo
from decimal import Decimal

import pghistory
import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from assistance.models import Partner
from assistance.services.cases import case_propose
from assistance.services.measures import MeasurePlan, measure_create
from assistance.services.partners import OfferData, PartnerData, offer_create, partner_create
from households import services as household_services
from households.models import Household, Region
from monitoring.engine.evaluation import evaluate_households
from monitoring.engine.rules import RULES
from monitoring.models import Alert, IncomeLine, Notification, RuleConfig, ScanRun, Signal
from monitoring.services import alerts as alert_services
from monitoring.services.visits import EventInput, visit_record
from tests.conftest import HOME_COUNTY, HOME_TOWNSHIP, HOME_VILLAGE, client_for
from tests.idgen import make_id_number

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
LATER = NOW + datetime.timedelta(days=30)
REGISTERED = datetime.datetime(2021, 1, 1, 9, 0, tzinfo=SHANGHAI)
N = 2

# The marker also makes pytest-django create the test database the module fixture fills.
pytestmark = pytest.mark.django_db

# (persona, url): the persona is one who sees every row the list grows by.
API_LISTS = [
    ("township_cadre", "/api/v1/households/"),
    ("township_cadre", "/api/v1/members/"),
    ("township_cadre", "/api/v1/visits/"),
    ("township_cadre", "/api/v1/alerts/"),
    # The township's active warnings, read through their ids (selectors.alerts_of_area).
    ("township_cadre", "/api/v1/alerts/?region=620423100000&active=1"),
    ("county_officer", "/api/v1/alerts/?region=620423100&active=1"),
    ("county_officer", "/api/v1/signals/"),
    ("township_cadre", "/api/v1/cases/"),
    ("township_cadre", "/api/v1/measures/"),
    ("partner", "/api/v1/measures/"),
    ("township_cadre", "/api/v1/partners/"),
    ("township_cadre", "/api/v1/partner-offers/"),
    ("township_cadre", "/api/v1/regions/"),
    ("county_officer", "/api/v1/income-lines/"),
    ("county_officer", "/api/v1/rules/"),
    ("county_officer", "/api/v1/scan-runs/"),
]
# Figures computed ahead by the refresh task: the page reads the same figure rows for any county.
PAGES_OF_FIGURES = {"/dashboard/"}
PAGES = [
    ("township_cadre", "/households/"),
    ("village_worker", "/visits/"),
    ("township_cadre", "/alerts/"),
    ("township_cadre", "/cases/?show=all"),
    ("village_worker", "/cases/"),
    ("township_cadre", "/cases/overdue/"),
    ("township_cadre", "/measures/"),
    ("partner", "/measures/"),
    ("township_cadre", "/partners/"),
    ("county_officer", "/signals/?status=matched"),
    ("county_officer", "/scans/"),
    ("village_worker", "/notifications/"),
    ("township_cadre", "/dashboard/"),
    ("township_cadre", "/export/households.xlsx"),
    ("township_cadre", "/export/visits.xlsx"),
    ("township_cadre", "/export/alerts.xlsx"),
    ("township_cadre", "/export/cases.xlsx?show=all"),
    ("township_cadre", "/export/measures.xlsx"),
    ("township_cadre", "/export/partners.xlsx"),
]


class County:
    """Grows the home township by whole units: each adds a row to every list."""

    def __init__(self, *, village_worker, township_cadre, county_officer, partner):
        self.worker, self.cadre, self.officer, self.partner = (
            village_worker,
            township_cadre,
            county_officer,
            partner,
        )
        self.serial = itertools.count(1)

    def _household(self, n: int) -> Household:
        household = household_services.household_create(
            actor=self.cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )
        household_services.member_create(
            actor=self.cadre,
            household_id=household.pk,
            name=f"户主{n}",
            id_number=make_id_number("620423", "19700101", n),
            relation="head",
            labour="ordinary",
            education="junior",
        )
        Household.objects.filter(pk=household.pk).update(created_at=REGISTERED)
        household.refresh_from_db()
        return household

    def _poor_visit(self, household: Household) -> None:
        _poor_visit(self.worker, household, household.members.get(), TODAY, household_size=1)
        evaluate_households(Household.objects.filter(pk=household.pk), as_of=TODAY)

    def grow(self, units: int) -> None:
        for _ in range(units):
            n = next(self.serial)
            # A household with an open warning assigned to the village worker (who is notified).
            warned = self._household(2 * n)
            self._poor_visit(warned)
            alert = Alert.objects.get(household=warned)
            alert_services.alert_assign(
                actor=self.cadre, alert=alert, version=alert.version, assignee_id=self.worker.pk
            )
            # A household with a case and a measure given to the persona's partner.
            helped = self._household(2 * n + 1)
            self._poor_visit(helped)
            case = case_propose(
                actor=self.cadre,
                household_id=helped.pk,
                origin="cadre",
                category="marginal",
                risk_types=["illness"],
                situation="户主患慢性病，收入低于监测线",
                responsible_id=self.cadre.pk,
            )
            offer = offer_create(
                actor=self.officer,
                partner_id=self.partner.partner_id,
                data=OfferData(
                    kind="jobs",
                    measure_kind="employment",
                    title=f"装卸岗位{n}",
                    available_from=TODAY,
                ),
            )
            measure_create(
                actor=self.cadre,
                case=case,
                plan=MeasurePlan(
                    kind="employment",
                    title=f"县城物流园装卸岗位{n}",
                    responsible_id=self.cadre.pk,
                    planned_start=TODAY,
                    partner_id=self.partner.partner_id,
                    offer_id=offer.pk,
                    member_ids=(helped.members.get().pk,),
                ),
            )
            partner_create(
                actor=self.officer,
                data=PartnerData(
                    name=f"景泰县合作社{n}",
                    kind="cooperative",
                    area_code=HOME_TOWNSHIP,
                    contact_name="刘经理",
                    contact_phone="0943-5521234",
                ),
            )
            self._rows_without_a_cheap_service(n, warned)

    def _rows_without_a_cheap_service(self, n: int, household: Household) -> None:
        """Signals, scan runs, policy rows and regions: their services start scans or need a
        department's system; the rows alone are what the lists read."""
        Signal.objects.create(
            source="medical_insurance",
            external_id=f"YB{n}",
            kind="large_medical_expense",
            household=household,
            member=household.members.get(),
            occurred_on=TODAY,
            amount=Decimal("30000"),
            status=Signal.Status.MATCHED,
            received_by=self.officer,
        )
        ScanRun.objects.create(
            scope=HOME_COUNTY[:6],
            trigger=ScanRun.Trigger.MANUAL,
            as_of=TODAY,
            started_by=self.officer,
        )
        IncomeLine.objects.create(region_id=HOME_COUNTY, year=2030 + n, amount=Decimal("7000"))
        rule = RULES[n - 1]
        RuleConfig.objects.create(
            code=rule.code, region_id=HOME_COUNTY, severity=rule.severity, weight=rule.weight
        )
        Region.objects.create(
            code=f"620423100{900 + n}",
            name=f"新村{n}村民委员会",
            level="village",
            parent_id=HOME_TOWNSHIP,
        )
        Notification.objects.create(user=self.worker, text=f"通知{n}", link="/alerts/")


def _poor_visit(worker, household, member, day, *, household_size: int) -> None:
    """A visit of a poor month with an illness: it opens a warning."""
    visit_record(
        actor=worker,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        events=[EventInput(kind="illness", occurred_on=day, member_id=member.pk)],
        visited_on=day,
        household_size=household_size,
        wage_income=Decimal("2500"),
        business_income=Decimal("0"),
        property_income=Decimal("0"),
        transfer_income=Decimal("0"),
        medical_spending=Decimal("0"),
        education_spending=Decimal("0"),
        disaster_loss=Decimal("0"),
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
    )


def _persona(username: str, role: str, region: str, **extra) -> User:
    user = User(username=username, role=role, region_id=region, **extra)
    user.set_unusable_password()  # no password hashing: these users only force_login
    user.save()
    return user


def _request(user: User, url: str) -> tuple[int, int]:
    """The queries one request costs, and how much it showed: an API page's rows, a page's bytes.

    The lists are read a month after the rows were made, when the cases' first steps are overdue.
    """
    with time_machine.travel(LATER, tick=False):
        client = client_for(user)
        with CaptureQueriesContext(connection) as captured:
            # An export is a POST (it writes an audit record); the rest are GETs.
            response = (client.post if url.startswith("/export/") else client.get)(url)
            # A streamed export may read its rows while it is sent: read it inside the count.
            body = b"".join(response.streaming_content) if response.streaming else None
    assert response.status_code == 200, (url, response.status_code)
    if url.startswith("/api/"):
        shown = len(response.json()["results"])
    else:
        shown = len(body if body is not None else response.content)
    return len(captured), shown


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[tuple[str, str], list[tuple]]:
    """Every list fetched with N rows, then with 3N: (queries, api rows) twice per list.

    The county is built once for the module (the services are too slow to build it per list),
    inside a transaction rolled back at the end, as pytest-django does for one test.
    """
    lists = API_LISTS + PAGES
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            office = Partner.objects.create(
                name="景泰县恒达农业有限公司",
                kind="private_enterprise",
                area_id=HOME_COUNTY,
                contact_name="刘经理",
                contact_phone="0943-5521234",
            )
            personas = {
                "village_worker": _persona("vw", Role.VILLAGE_WORKER, HOME_VILLAGE),
                "township_cadre": _persona("tc", Role.TOWNSHIP_CADRE, HOME_TOWNSHIP),
                "county_officer": _persona("co", Role.COUNTY_OFFICER, HOME_COUNTY, is_staff=True),
                "partner": _persona("pa", Role.PARTNER, HOME_COUNTY, partner=office),
            }
            county = County(**personas)
            county.grow(N)
            for persona, url in lists:
                _request(personas[persona], url)  # the first request fills per-process caches
            results = {(p, url): [_request(personas[p], url)] for p, url in lists}
            county.grow(2 * N)
            for persona, url in lists:
                results[persona, url].append(_request(personas[persona], url))
            yield results
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize(("persona", "url"), API_LISTS, ids=[f"{p} {u}" for p, u in API_LISTS])
def test_an_api_list_costs_the_same_queries_for_n_or_3n_rows(measured, persona, url):
    (few, rows_few), (many, rows_many) = measured[persona, url]
    assert rows_many > rows_few, "the list did not grow: the check would prove nothing"
    assert many == few


@pytest.mark.parametrize(("persona", "url"), PAGES, ids=[f"{p} {u}" for p, u in PAGES])
def test_a_list_page_costs_the_same_queries_for_n_or_3n_rows(measured, persona, url):
    (few, size_few), (many, size_many) = measured[persona, url]
    if url not in PAGES_OF_FIGURES:
        assert size_many > size_few, "the page did not grow: the check would prove nothing"
    assert many == few


def test_the_household_page_costs_the_same_queries_for_a_full_household_or_an_empty_one():
    """The household page (households.hub and the sections its template includes) reads each
    kind of row once, however many the household has: a household with members, visits and
    warnings costs what a household with none of them costs (issue 21: constant queries).

    Built under a request's history context, as every household is: the histories name their
    users in one statement, which a history naming nobody would not need."""
    with time_machine.travel(NOW, tick=False), pghistory.context(user=None):
        personas = {
            "village_worker": _persona("page_vw", Role.VILLAGE_WORKER, HOME_VILLAGE),
            "township_cadre": _persona("page_tc", Role.TOWNSHIP_CADRE, HOME_TOWNSHIP),
            "county_officer": _persona("page_co", Role.COUNTY_OFFICER, HOME_COUNTY, is_staff=True),
        }
        pghistory.context(user=personas["township_cadre"].pk)
        county = County(**personas, partner=None)
        full = county._household(1)
        for n in range(2, 6):
            household_services.member_create(
                actor=county.cadre,
                household_id=full.pk,
                name=f"成员{n}",
                id_number=make_id_number("620423", "19900101", 100 + n),
                relation="child",
                labour="ordinary",
                education="junior",
            )
        full.refresh_from_db()
        member = full.members.order_by("pk").first()
        for day in (TODAY - datetime.timedelta(days=days) for days in (60, 30, 0)):
            _poor_visit(county.worker, full, member, day, household_size=5)
        evaluate_households(Household.objects.filter(pk=full.pk), as_of=TODAY)
        empty = household_services.household_create(
            actor=county.cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
        )
    assert full.visits.count() == 3 and Alert.objects.filter(household=full).exists()
    cadre = personas["township_cadre"]
    _request(cadre, f"/households/{empty.pk}/")  # the first request fills per-process caches
    few, _ = _request(cadre, f"/households/{empty.pk}/")
    many, _ = _request(cadre, f"/households/{full.pk}/")
    assert many == few
