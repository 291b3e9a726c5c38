"""The audit page: county officers and auditors read their own region's trail, nobody else."""

import datetime
from urllib.parse import urlencode

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import selectors
from audit.models import ExportEvent
from audit.sources import WRITE_SCOPES, event_models
from households import services
from households.models import Household, Member, Region
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

URL = reverse("audit-list")


@pytest.fixture
def other_county_household(other_county_officer):
    village = Region.objects.filter(code__startswith="620421", level="village").first()
    created = services.household_create(
        actor=other_county_officer,
        village_code=village.code,
        poverty_status="ordinary",
    )
    services.member_create(
        actor=other_county_officer,
        household_id=created.pk,
        name="赵远方",
        id_number=make_id_number("620421", "19800101", 7),
        relation="head",
        labour="ordinary",
        education="senior",
    )
    return created


def _page(viewer, **params) -> tuple[int, str]:
    response = client_for(viewer).get(URL, params)
    return response.status_code, response.content.decode()


def test_officer_sees_home_events_and_not_another_countys(
    county_officer, township_cadre, household, other_county_household
):
    # (The viewers first: pghistory's context lasts to the end of the test's one transaction, so
    # a user made after the other county's writes would be credited to that county's officer.)
    status, body = _page(county_officer)
    assert status == 200
    assert "township_cadre" in body  # who created the home household
    assert "张建国" in body  # the home member's history
    assert "赵远方" not in body and "other_county_officer" not in body


def test_auditor_reads_the_trail_of_the_region(household, auditor):
    status, body = _page(auditor)
    assert status == 200 and "张建国" in body


@pytest.mark.parametrize("persona", ["village_worker", "township_cadre", "partner"])
def test_other_roles_are_refused(request, household, persona):
    status, body = _page(request.getfixturevalue(persona))
    assert status == 403
    assert "张建国" not in body


def test_anonymous_is_sent_to_sign_in(household):
    response = client_for_anonymous().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def client_for_anonymous():
    from django.test import Client

    return Client()


def test_the_other_countys_officer_does_not_see_ours(household, other_county_officer):
    status, body = _page(other_county_officer)
    assert status == 200
    assert "张建国" not in body and household.number not in body


def test_sensitive_values_never_appear(household, county_officer):
    head = household.members.get(relation="head")
    Member.objects.filter(pk=head.pk).update(
        phone="13900001111", health_note="糖尿病并发症", health="serious"
    )
    Household.objects.filter(pk=household.pk).update(bank_account="6228480402564890999")
    status, body = _page(county_officer, kind="write")
    assert status == 200
    for secret in (
        "13900001111",
        "13893005678",
        "糖尿病并发症",
        "高血压",
        "6228480402564890999",
        "6228480402564890018",
        make_id_number("620423", "19680315", 1),
        head.id_number_masked,
    ):
        assert secret not in body, secret
    assert "***" in body


def test_exports_sign_ins_and_failures_are_listed_and_filtered(
    household, county_officer, township_cadre
):
    response = client_for(township_cadre).post(
        reverse("list-export", args=["households"]) + "?" + urlencode({"q": household.number})
    )
    assert response.status_code == 200
    export = ExportEvent.objects.get()
    assert (export.user, export.name, export.ip) == (township_cadre, "households", "127.0.0.1")
    assert export.filters == {"q": household.number} and export.row_count == 1
    assert export.region_code == "620423100"
    # A search box may have held an ID number: the trail keeps it, the page masks it.
    id_number = make_id_number("620423", "19680315", 1)
    ExportEvent.objects.create(
        user=township_cadre,
        kind="spreadsheet",
        name="visits",
        row_count=0,
        region_code="620423100",
        filters={"q": id_number},
    )
    AccessLog.objects.create(username="township_cadre", ip_address="10.1.2.3", user_agent="x")
    AccessFailureLog.objects.create(
        username="township_cadre", ip_address="10.9.9.9", user_agent="x", locked_out=True
    )
    AccessFailureLog.objects.create(username="other_county_officer", ip_address="10.7.7.7")

    status, body = _page(county_officer)
    assert "10.1.2.3" in body and "10.9.9.9" in body and "10.7.7.7" not in body
    assert id_number not in body  # the search that held an ID number is shown masked

    status, body = _page(county_officer, kind="export")
    assert "households" in body and "10.1.2.3" not in body and "张建国" not in body
    status, body = _page(county_officer, kind="failure", user="township_cadre")
    assert "10.9.9.9" in body and "10.1.2.3" not in body


def test_filters_by_household_user_and_date(household, other_township_household, county_officer):
    status, body = _page(county_officer, household=household.number)
    assert "张建国" in body and "王富贵" not in body
    status, body = _page(county_officer, user="other_township_cadre", kind="write")
    assert "王富贵" in body and "张建国" not in body
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    status, body = _page(county_officer, date_from=tomorrow.isoformat())
    assert status == 200 and "张建国" not in body


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-40"},
        {"household": "12ab"},
        {"kind": "everything"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        {"cursor": "not-a-cursor"},
        {"cursor": "WzEsMiwzXQ=="},
    ],
)
def test_bad_input_is_a_clear_400(household, county_officer, params):
    status, body = _page(county_officer, **params)
    assert status == 400
    assert 'role="alert"' in body


def test_a_walk_by_pages_reads_every_event_once_newest_first(household, county_officer):
    for index in range(5):
        Household.objects.filter(pk=household.pk).update(address=f"第{index}次")
    everything = selectors.audit_events(
        user=county_officer, filters=selectors.AuditFilters(), page_size=1000
    ).events
    seen, cursor = [], None
    while True:
        page = selectors.audit_events(
            user=county_officer, filters=selectors.AuditFilters(), cursor=cursor, page_size=3
        )
        seen += page.events
        cursor = page.next_cursor
        if cursor is None:
            break
    key = [(source.key, row.pk) for source, row in seen]
    assert key == [(source.key, row.pk) for source, row in everything]
    assert len(set(key)) == len(key) > 6
    times = [getattr(row, source.time_field) for source, row in seen]
    assert times == sorted(times, reverse=True)


def _queries(user) -> int:
    client = client_for(user)
    client.get(URL)  # the session and the permissions are read once, not what is counted
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_whatever_the_trail_holds(county_officer, township_cadre):
    def households(count: int) -> None:
        for _ in range(count):
            created = services.household_create(
                actor=township_cadre,
                village_code=HOME_VILLAGE,
                poverty_status="ordinary",
                address="旧址",
            )
            Household.objects.filter(pk=created.pk).update(address="新址")
            ExportEvent.objects.create(
                user=township_cadre,
                kind="spreadsheet",
                name="visits",
                row_count=3,
                region_code="620423100",
            )
            AccessLog.objects.create(username="township_cadre", ip_address="10.1.1.1")

    households(2)
    few = _queries(county_officer)
    households(8)
    assert _queries(county_officer) == few


def test_every_history_table_is_scoped():
    missing = [
        model.pgh_tracked_model._meta.label
        for model in event_models()
        if model.pgh_tracked_model._meta.label not in WRITE_SCOPES
    ]
    assert missing == []


def test_an_export_from_an_unreadable_address_or_with_a_nul_is_still_recorded(
    household, township_cadre
):
    response = client_for(township_cadre).post(
        reverse("list-export", args=["households"]) + "?" + urlencode({"q": "张\x00"}),
        REMOTE_ADDR="not-an-address",
    )
    assert response.status_code == 200
    export = ExportEvent.objects.get()
    assert export.ip is None and export.filters == {"q": "张"}
