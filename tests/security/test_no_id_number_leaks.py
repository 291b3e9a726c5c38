"""A full scenario through the real doors, then a search of all it produced for full ID numbers.

Everything: every response body (pages, JSON, the .xlsx files unzipped), the public notice, the
log records of every logger at DEBUG, what was written to stdout and stderr, and every Celery
message published to the real broker (headers and body). A full 18-digit ID number of a member
of the scenario (with its check character X also in lower case) may appear in two places only:
the response to a cadre who unmasked a household with a reason, and the department's signal
request itself (input, not output). Notices and exports carry no phone, bank account or health
detail either (DESIGN.md §6).
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import uuid
import zipfile
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from households.models import Household
from monitoring.engine.evaluation import evaluate_households
from monitoring.models import Alert
from tests.assistance.conftest import REGISTERED, clock  # noqa: F401  (the pinned clock)
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number
from tests.security.conftest import body_text
from tests.security.test_id_numbers_cannot_be_rebuilt import rebuilt

pytestmark = pytest.mark.django_db

JSON = "application/json"
DAY = datetime.timedelta(days=1)
HOUSEHOLD_PHONE = "13893007788"
MEMBER_PHONE = "13893009911"
BANK_ACCOUNT = "6228480402564890042"
HEALTH_NOTE = "慢性肾病需长期透析"


def id_number_ending_in_x() -> str:
    """A valid number whose check character is X, to search for it in both cases too."""
    for sequence in range(1, 500):
        number = make_id_number("620423", "19920704", sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no check character X in 500 numbers")


HEAD_ID = make_id_number("620423", "19650412", 7)
SPOUSE_ID = id_number_ending_in_x()
CHILD_ID = make_id_number("620423", "20120901", 8)
UNKNOWN_ID = make_id_number("620423", "19580101", 9)  # in a signal, matches nobody
ID_NUMBERS = (HEAD_ID, SPOUSE_ID, CHILD_ID, UNKNOWN_ID)


class Seen:
    """Every response of the scenario, by who asked for what, and the few allowed to unmask."""

    def __init__(self, on_commit):
        self.responses: list[tuple[str, str]] = []
        self.unmasked: list[tuple[str, str]] = []
        # The test's transaction never commits: run what would follow a commit (the tasks
        # published to the real broker) at the end of each request, as a commit would.
        self.on_commit = on_commit

    def call(self, client: Client, method: str, url: str, data=None, *, who: str, **extra):
        with self.on_commit(execute=True):
            return self._call(client, method, url, data, who=who, **extra)

    def _call(self, client: Client, method: str, url: str, data=None, *, who: str, **extra):
        if method == "GET":
            response = client.get(url, data or {}, headers=extra.get("headers"))
        elif extra.pop("form", False):
            response = client.post(url, data or {})
        else:
            response = client.generic(method, url, json.dumps(data or {}), content_type=JSON)
        assert response.status_code < 500, f"{who} {method} {url}: {response.status_code}"
        where = f"{who} {method} {url} → {response.status_code}"
        (self.unmasked if extra.get("unmask") else self.responses).append(
            (where, body_text(response))
        )
        return response


def json_of(response) -> dict:
    return response.json()


def page_form(client: Client, url: str, data: dict, seen: Seen, who: str):
    return seen.call(client, "POST", url, data, who=who, form=True)


def register_household(seen: Seen, cadre) -> Household:
    client = client_for(cadre)
    response = page_form(
        client,
        "/households/new/",
        {
            "village": HOME_VILLAGE,
            "poverty_status": "lifted_out",
            "poverty_exit_year": "2017",
            "address": "水源村5社8号",
            "phone": HOUSEHOLD_PHONE,
            "bank_account": BANK_ACCOUNT,
        },
        seen,
        "township_cadre",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get(village_id=HOME_VILLAGE, address="水源村5社8号")
    Household.objects.filter(pk=household.pk).update(created_at=REGISTERED)
    member = {
        "health": "healthy",
        "disability": "none",
        "labour": "ordinary",
        "education": "junior",
        "schooling": "not_in_school",
        "work": "farming",
        "status": "active",
        "medical_insurance": "on",
    }
    people = (
        {"name": "严守仁", "id_number": HEAD_ID, "relation": "head", "phone": MEMBER_PHONE}
        | {"health": "serious", "health_note": HEALTH_NOTE},
        {"name": "柏玉兰", "id_number": SPOUSE_ID.lower(), "relation": "spouse"},
        {"name": "严小川", "id_number": CHILD_ID, "relation": "child", "schooling": "primary"},
    )
    for person in people:
        response = page_form(
            client,
            f"/households/{household.pk}/members/new/",
            {**member, **person},
            seen,
            "township_cadre",
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    # The same person again: refused, and the refusal must not read the number back.
    page_form(
        client,
        f"/households/{household.pk}/members/new/",
        {**member, "name": "严守仁", "id_number": HEAD_ID, "relation": "other"},
        seen,
        "township_cadre",
    )
    # An edit refused (a stale version) must not send back the phone just typed either.
    head = household.members.get(relation="head")
    page_form(
        client,
        f"/members/{head.pk}/edit/",
        {**member, "name": "严守仁", "relation": "head", "phone": MEMBER_PHONE, "version": "0"},
        seen,
        "township_cadre",
    )
    household.refresh_from_db()
    return household


def visit_figures(household: Household, on: datetime.date) -> dict:
    """Three people at 2,000 yuan a person: under every line."""
    return {
        "household": household.pk,
        "visited_on": on.isoformat(),
        "household_size": 3,
        "wage_income": "4000",
        "business_income": "1000",
        "property_income": "0",
        "transfer_income": "1000",
        "medical_spending": "8000",
        "education_spending": "0",
        "disaster_loss": "0",
        "food_clothing_ok": True,
        "compulsory_education_ok": True,
        "basic_medical_ok": True,
        "safe_housing_ok": True,
        "safe_water_ok": True,
    }


def record_visits(seen: Seen, worker, household: Household, today: datetime.date) -> None:
    client = client_for(worker)
    form = seen.call(client, "GET", f"/visits/new/?household={household.pk}", who="village_worker")
    figures = visit_figures(household, today - DAY)
    figures = {key: str(value) for key, value in figures.items()}
    response = page_form(
        client,
        "/visits/new/",
        {
            **figures,
            "client_uuid": form.context["form"].initial["client_uuid"],
            "events-TOTAL_FORMS": "2",
            "events-INITIAL_FORMS": "0",
        },
        seen,
        "village_worker",
    )
    context = response.context or {}
    assert response.status_code == 302, (context.get("form") and context["form"].errors, context)
    response = seen.call(
        client,
        "POST",
        "/api/v1/visits/",
        {**visit_figures(household, today), "client_uuid": str(uuid.uuid4())},
        who="village_worker",
    )
    assert response.status_code == 201, response.content.decode()[:2000]


def send_signals(seen: Seen, api_client_user, today: datetime.date) -> None:
    """A department's signals by ID number: the request is input; its answer must not echo."""
    client = client_for(api_client_user)
    items = [
        {
            "source": "medical_insurance",
            "external_id": f"YB-{n}",
            "kind": "large_medical_expense",
            "id_number": number,
            "occurred_on": (today - 2 * DAY).isoformat(),
            "amount": "42000.00",
            "detail": "住院",
        }
        for n, number in enumerate((SPOUSE_ID, UNKNOWN_ID))
    ]
    response = seen.call(client, "POST", "/api/v1/signals/", {"items": items}, who="api_client")
    assert response.status_code in (200, 201, 207), response.content.decode()[:2000]
    response = seen.call(
        client, "POST", "/api/v1/members/lookup/", {"id_number": HEAD_ID}, who="api_client"
    )


def walk_alert_and_case(seen, timer, household, *, worker, cadre, officer) -> dict:
    with seen.on_commit(execute=True):  # what the worker does after the visit's commit
        evaluate_households(Household.objects.filter(pk=household.pk), as_of=timer.today())
    alert = Alert.objects.get(household=household)
    url = f"/api/v1/alerts/{alert.pk}/"
    alert_json = json_of(
        seen.call(
            client_for(cadre),
            "POST",
            url + "assign/",
            {"assignee": worker.pk, "version": alert.version},
            who="township_cadre",
        )
    )
    alert_json = json_of(
        seen.call(
            client_for(worker),
            "POST",
            url + "verify/",
            {"version": alert_json["version"], "result": "true"},
            who="village_worker",
        )
    )
    seen.call(
        client_for(cadre),
        "POST",
        url + "confirm/",
        {"version": alert_json["version"]},
        who="township_cadre",
    )
    proposed = seen.call(
        client_for(cadre),
        "POST",
        "/api/v1/cases/",
        {
            "household": household.pk,
            "origin": "alert",
            "alert": alert.pk,
            "category": "unstable",
            "risk_types": ["illness"],
            "situation": "户主重病，医疗支出大",
            "responsible": cadre.pk,
        },
        who="township_cadre",
    )
    assert proposed.status_code == 201, proposed.content.decode()[:2000]
    case = proposed.json()

    def act(user, who, action, **body):
        nonlocal case
        response = seen.call(
            client_for(user),
            "POST",
            f"/api/v1/cases/{case['id']}/{action}/",
            {"version": case["version"], **body},
            who=who,
        )
        assert response.status_code == 200, response.content.decode()[:2000]
        case = response.json()

    timer.advance(1)
    act(worker, "village_worker", "consent", decision="approved")
    timer.advance(1)
    act(cadre, "township_cadre", "info-check", decision="approved", info_check_result="consistent")
    timer.advance(1)
    act(worker, "village_worker", "deliberation", decision="approved", comment="同意")
    starts = timer.advance(1)
    act(worker, "village_worker", "notice", starts_on=str(starts), ends_on=str(starts + 4 * DAY))
    for user, who in ((worker, "village_worker"), (cadre, "township_cadre")):
        notice = f"/cases/{case['id']}/notice/"
        seen.call(client_for(user), "POST", notice, who=f"{who} notice", form=True)
    timer.advance(5)
    act(worker, "village_worker", "notice-result", decision="approved", objections="")
    timer.advance(1)
    act(cadre, "township_cadre", "township-review", decision="approved")
    timer.advance(1)
    act(officer, "county_officer", "county-approval", decision="approved")
    assert case["status"] == "enrolled"
    return case


def plan_and_deliver(seen, timer, case, *, cadre, partner_org, partner) -> dict:
    planned = seen.call(
        client_for(cadre),
        "POST",
        "/api/v1/measures/",
        {
            "case": case["id"],
            "kind": "health",
            "title": "大病救助",
            "responsible": cadre.pk,
            "planned_start": timer.today().isoformat(),
            "partner": partner_org.pk,
            "planned_amount": "5000.00",
        },
        who="township_cadre",
    )
    assert planned.status_code == 201, planned.content.decode()[:2000]
    measure = planned.json()
    delivered = seen.call(
        client_for(partner),
        "POST",
        f"/api/v1/measures/{measure['id']}/delivery/",
        {
            "version": measure["version"],
            "status": "delivered",
            "actual_start": timer.today().isoformat(),
            "delivered_amount": "5000.00",
            "result": "已报销",
        },
        who="partner",
    )
    assert delivered.status_code == 200, delivered.content.decode()[:2000]
    return measure


def import_a_file(seen: Seen, cadre) -> None:
    """The template, then a file with a known person and a bad row: the job's errors page."""
    from tests.spreadsheets.books import member_row, workbook

    client = client_for(cadre)
    seen.call(client, "GET", "/households/import/template.xlsx", who="township_cadre")
    rows = [
        member_row("6204231002000901", HOME_VILLAGE, "严守仁", HEAD_ID, "户主"),
        member_row("6204231002000901", HOME_VILLAGE, "柏玉兰", SPOUSE_ID, "邻居"),
    ]
    response = seen.call(
        client,
        "POST",
        "/households/import/",
        {"file": SimpleUploadedFile("农户.xlsx", workbook(rows))},
        who="township_cadre import",
        form=True,
    )
    # The check is the worker's: its service runs here, and the page shows what it found.
    from spreadsheets import jobs

    job_page = response["Location"]
    assert jobs.import_job_check(int(job_page.rstrip("/").rsplit("/", 1)[-1])) == "failed"
    seen.call(client, "GET", job_page, who="township_cadre import")


def look_at_everything(seen: Seen, personas: dict, household, case, measure) -> None:
    """Every list, detail, export and API read, for every persona."""
    alert = Alert.objects.filter(household=household).first()
    head = household.members.get(relation="head")
    visit = household.visits.first()
    pages = [
        "/",
        "/households/",
        f"/households/?q={household.number}",
        f"/households/{household.pk}/",
        f"/households/{household.pk}/history/",
        f"/households/{household.pk}/edit/",
        f"/members/{head.pk}/edit/",
        "/visits/",
        f"/visits/{visit.pk}/",
        f"/visits/households/?q={household.number}",
        "/visits/households.json",
        "/alerts/",
        f"/alerts/{alert.pk}/",
        "/signals/",
        "/scans/",
        "/notifications/",
        "/cases/",
        f"/cases/{case['id']}/",
        f"/cases/{case['id']}/notice/",
        "/measures/",
        f"/measures/{measure['id']}/",
        "/partners/",
        "/dashboard/",
        "/audit/",
        *(
            f"/export/{kind}.xlsx"
            for kind in ("households", "visits", "alerts", "cases", "measures", "partners")
        ),
    ]
    api = [
        "/api/v1/households/",
        f"/api/v1/households/{household.pk}/",
        f"/api/v1/members/?household={household.pk}",
        f"/api/v1/members/{head.pk}/",
        "/api/v1/visits/",
        f"/api/v1/visits/{visit.pk}/",
        "/api/v1/alerts/",
        f"/api/v1/alerts/{alert.pk}/",
        "/api/v1/signals/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case['id']}/",
        f"/api/v1/cases/{case['id']}/eligibility/",
        f"/api/v1/cases/{case['id']}/suggestions/",
        "/api/v1/measures/",
        f"/api/v1/measures/{measure['id']}/",
    ]
    for who, user in personas.items():
        client = client_for(user)
        for url in pages + api:
            # Exports and notice prints are POSTs (each writes an audit record).
            posted = url.startswith("/export/") or url.endswith("/notice/")
            seen.call(client, "POST" if posted else "GET", url, who=who, form=posted)
    # The browsable API (a 404 outside DEBUG) and HTML asked of the API.
    for url in (f"/api/v1/households/{household.pk}/", f"/api/v1/members/{head.pk}/"):
        client = client_for(personas["township_cadre"])
        seen.call(client, "GET", f"{url}?format=api", who="township_cadre browsable")
        seen.call(client, "GET", url, who="township_cadre html", headers={"Accept": "text/html"})
    # The admin, its list filters aimed at sensitive fields included (a 400 page).
    officer = client_for(personas["county_officer"])
    for url in (
        "/admin/households/member/",
        f"/admin/households/member/{head.pk}/change/",
        f"/admin/households/member/?id_number_masked__startswith={HEAD_ID[:8]}",
        "/admin/households/member/?health=serious",
        f"/admin/households/household/?phone__startswith={HOUSEHOLD_PHONE[:3]}",
        f"/admin/households/household/{household.pk}/change/",
    ):
        seen.call(officer, "GET", url, who="county_officer admin")


def import_folder() -> str:
    """What the import folder holds: every waiting workbook's cells, as text."""
    texts = []
    for path in sorted(Path(settings.IMPORT_DIR).glob("**/*")):
        if path.is_file():
            raw = path.read_bytes()
            if raw[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(raw)) as book:
                    raw = b"".join(book.read(name) for name in book.namelist())
            texts.append(f"{path.name}: {raw.decode('utf-8', 'replace')}")
    return "\n".join(texts)


def test_no_full_id_number_leaves_except_to_a_cadre_who_unmasks(
    clock,  # noqa: F811  (the pinned clock, imported above)
    caplog,
    capfd,
    django_capture_on_commit_callbacks,
    village_worker,
    township_cadre,
    county_officer,
    other_township_cadre,
    other_county_officer,
    partner_org,
    partner,
    auditor,
    api_client_user,
):
    caplog.set_level(logging.DEBUG)
    published: list[str] = []

    def record_message(sender=None, body=None, headers=None, **extra):
        published.append(f"{sender} {headers!r} {body!r}")

    before_task_publish.connect(record_message, weak=False)
    seen = Seen(django_capture_on_commit_callbacks)
    try:
        household = register_household(seen, township_cadre)
        record_visits(seen, village_worker, household, clock.today())
        send_signals(seen, api_client_user, clock.today())
        case = walk_alert_and_case(
            seen,
            clock,
            household,
            worker=village_worker,
            cadre=township_cadre,
            officer=county_officer,
        )
        measure = plan_and_deliver(
            seen, clock, case, cadre=township_cadre, partner_org=partner_org, partner=partner
        )
        import_a_file(seen, township_cadre)
        personas = {
            "village_worker": village_worker,
            "township_cadre": township_cadre,
            "county_officer": county_officer,
            "other_township_cadre": other_township_cadre,
            "other_county_officer": other_county_officer,
            "partner": partner,
            "auditor": auditor,
            "api_client": api_client_user,
        }
        look_at_everything(seen, personas, household, case, measure)
        # The one door that shows them: a cadre with a reason, on the page and through the API.
        seen.call(
            client_for(township_cadre),
            "POST",
            f"/households/{household.pk}/unmask/",
            {"reason": "核实医疗救助"},
            who="township_cadre unmask",
            form=True,
            unmask=True,
        )
        seen.call(
            client_for(county_officer),
            "POST",
            f"/api/v1/households/{household.pk}/unmask/",
            {"reason": "核实医疗救助"},
            who="county_officer unmask",
            unmask=True,
        )
    finally:
        before_task_publish.disconnect(record_message)

    captured = capfd.readouterr()
    places = [
        *seen.responses,
        ("log records", "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)),
        ("stdout", captured.out),
        ("stderr", captured.err),
        *(("celery message", message) for message in published),
        ("import folder", import_folder()),
    ]
    wanted = [number for number in ID_NUMBERS] + [n.lower() for n in ID_NUMBERS if n[-1] == "X"]
    leaks = [f"{where}: {number}" for where, text in places for number in wanted if number in text]
    assert not leaks, "full ID numbers found:\n" + "\n".join(leaks[:40])
    # Nor can one be rebuilt from a mask and a date read anywhere (the mask hides the birth date).
    rebuilt_numbers = rebuilt([text for _where, text in places])
    assert not rebuilt_numbers & set(ID_NUMBERS), "a mask and a date read together rebuild a number"
    # The search itself works: the unmasking responses do hold the numbers.
    assert all(HEAD_ID in text for _, text in seen.unmasked)
    assert published, "no Celery message was published: the scenario did not reach the broker"

    # Notices and exports: no phone, bank account or health detail either.
    private = (HOUSEHOLD_PHONE, MEMBER_PHONE, BANK_ACCOUNT, HEALTH_NOTE)
    shown = [
        f"{where}: {value}"
        for where, text in seen.responses
        if "/notice/" in where or "/export/" in where
        for value in private
        if value in text
    ]
    assert not shown, "private details in notices or exports:\n" + "\n".join(shown)

    # Anywhere else, the forms that edit them included, phone and bank account are masked and
    # health details hidden.
    shown = [
        f"{where}: {value}" for where, text in seen.responses for value in private if value in text
    ]
    assert not shown, "unmasked phone, bank account or health details:\n" + "\n".join(shown[:40])
