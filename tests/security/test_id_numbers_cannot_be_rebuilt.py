"""No combination of what a role can read rebuilds a full ID number.

The mask keeps the area code and the last four characters (`620423********5699`); the eight
digits it hides are the birth date. So each role that sees members reads everything it can about
a household (API lists and details, the household page with its history, the member look-up
answer, exports, the audit trail, the admin, the case notice), every date in any format is taken
from it, and every masked number is completed with every date. No completed number may be the
member's, and the look-up, asked for each one, may find nobody.
"""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.test import Client
from openpyxl import load_workbook
from stdnum.cn import ric

from households import services
from households.models import Household
from tests.conftest import HOME_VILLAGE, client_for
from tests.idgen import make_id_number
from tests.security.conftest import case_walked_to_its_notice

pytestmark = pytest.mark.django_db

JSON = "application/json"
# The head was first registered with a wrong birth date, then corrected: the history holds both.
HEAD_ID = make_id_number("620423", "19770523", 569)
HEAD_ID_TYPED_WRONG = make_id_number("620423", "19770525", 569)
SPOUSE_ID = make_id_number("620423", "19790811", 482)
ROLES = ("village_worker", "township_cadre", "county_officer", "auditor", "api_client")

MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
DATE_PATTERNS = (
    # 1977-05-23, 1977/5/23, 1977.05.23
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    # 1977年5月23日
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    # 19770523, the form the number itself holds
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"), "ymd"),
    # 23/05/1977, 23.05.1977
    (re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)"), "dmy"),
    # May 23, 1977 and 23 May 1977
    (re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b"), "mdy_name"),
    (re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})\b"), "dmy_name"),
)
MASKED = re.compile(r"(?<!\d)(\d{6})[*•xX]{4,}([\dX]{4})(?![\dX])")


def dates_in(text: str) -> set[datetime.date]:
    found = set()
    for pattern, order in DATE_PATTERNS:
        for match in pattern.finditer(text):
            a, b, c = match.groups()
            try:
                if order == "ymd":
                    found.add(datetime.date(int(a), int(b), int(c)))
                elif order == "dmy":
                    found.add(datetime.date(int(c), int(b), int(a)))
                elif order == "mdy_name" and a.lower() in MONTHS:
                    found.add(datetime.date(int(c), MONTHS.index(a.lower()) + 1, int(b)))
                elif order == "dmy_name" and b.lower() in MONTHS:
                    found.add(datetime.date(int(c), MONTHS.index(b.lower()) + 1, int(a)))
            except ValueError:
                pass
    return found


def masks_in(text: str) -> set[tuple[str, str]]:
    return {(area, tail.upper()) for area, tail in MASKED.findall(text)}


def rebuilt(texts: list[str]) -> set[str]:
    """Every full number that a mask and a date read anywhere complete with a right check digit
    (a date on one page and a mask on another is as good as both on one)."""
    whole = "\n".join(texts)
    candidates = set()
    for area, tail in masks_in(whole):
        for day in dates_in(whole):
            number = f"{area}{day:%Y%m%d}{tail}"
            if ric.calc_check_digit(number) == number[-1]:
                candidates.add(number)
    return candidates


def readable(response) -> str:
    """The body as a person reads it: an .xlsx cell by cell (dates as dates, not day serials)."""
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw[:2] == b"PK":
        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            " ".join("" if value is None else str(value) for value in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    text = raw.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            text += json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


@pytest.fixture
def registered(township_cadre, village_worker):
    """A household whose head's number was corrected once, and a case at its public notice."""
    from assistance.services import cases as case_services

    household = services.household_create(
        actor=township_cadre,
        village_code=HOME_VILLAGE,
        poverty_status="lifted_out",
        poverty_exit_year=2018,
        address="水源村2社7号",
    )
    head = services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="常有福",
        id_number=HEAD_ID_TYPED_WRONG,
        relation="head",
        labour="ordinary",
        education="junior",
    )
    head = services.member_update(
        actor=township_cadre, member=head, version=head.version, id_number=HEAD_ID
    )
    spouse = services.member_create(
        actor=township_cadre,
        household_id=household.pk,
        name="苗彩霞",
        id_number=SPOUSE_ID,
        relation="spouse",
        labour="ordinary",
        education="primary",
    )
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患病，收入低于监测线",
        responsible_id=township_cadre.pk,
    )
    case = case_walked_to_its_notice(case, worker=village_worker, cadre=township_cadre)
    household.refresh_from_db()
    return {"household": household, "head": head, "spouse": spouse, "case": case}


def everything_read_by(client: Client, *, staff: bool, household: Household, head, case) -> list:
    """What the role can read about the household, through every door it has."""
    urls = [
        "/households/",
        f"/households/?q={household.number}",
        f"/households/{household.pk}/",
        f"/households/{household.pk}/history/",
        f"/members/{head.pk}/edit/",
        f"/visits/households/?q={household.number}",
        "/visits/households.json",
        "/api/v1/households/",
        f"/api/v1/households/{household.pk}/",
        "/api/v1/members/?page_size=500",
        f"/api/v1/members/{head.pk}/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/notice/",
        "/audit/",
        *(f"/export/{kind}.xlsx" for kind in ("households", "visits", "alerts", "cases")),
    ]
    if staff:
        urls += [
            "/admin/households/member/",
            f"/admin/households/member/{head.pk}/change/",
            f"/admin/households/member/{head.pk}/history/",
            f"/admin/households/household/{household.pk}/change/",
        ]
    texts = []
    for url in urls:
        # Exports and notice prints are POSTs (each writes an audit record).
        posted = url.startswith("/export/") or url.endswith("/notice/")
        response = client.post(url) if posted else client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            texts.append(readable(response))
    # The look-up's answer, for the one person whose number the role already has.
    response = client.post("/api/v1/members/lookup/", {"id_number": SPOUSE_ID}, content_type=JSON)
    assert response.status_code == 200, response.content
    texts.append(readable(response))
    return texts


def test_the_rebuilding_finds_a_number_when_a_date_sits_beside_its_mask():
    """The search itself works: what the old member list said rebuilds the number."""
    old_answer = json.dumps(
        {"id_number": "620423********" + HEAD_ID[-4:], "birth_date": "1977-05-23"}
    )
    assert HEAD_ID in rebuilt([old_answer])
    assert HEAD_ID in rebuilt(["620423********" + HEAD_ID[-4:], "出生 1977年5月23日"])
    assert HEAD_ID in rebuilt(["620423********" + HEAD_ID[-4:], "born May 23, 1977"])


@pytest.mark.parametrize("role", ROLES)
def test_nothing_a_role_reads_rebuilds_a_full_id_number(
    role, registered, settings, request, village_worker, township_cadre, county_officer
):
    settings.ID_LOOKUP_PER_HOUR = 10_000  # the limit must not be what stops the look-ups here
    user = request.getfixturevalue({"api_client": "api_client_user"}.get(role, role))
    client = client_for(user)
    household, head, case = registered["household"], registered["head"], registered["case"]
    texts = everything_read_by(
        client, staff=user.is_staff, household=household, head=head, case=case
    )

    assert ("620423", HEAD_ID[-4:]) in masks_in("\n".join(texts)), "the masked number is read"
    candidates = rebuilt(texts)
    assert HEAD_ID not in candidates
    assert HEAD_ID_TYPED_WRONG not in candidates
    found = []
    for number in sorted(candidates - {SPOUSE_ID}):
        response = client.post("/api/v1/members/lookup/", {"id_number": number}, content_type=JSON)
        if response.status_code == 200 or b"registered_elsewhere" in response.content:
            found.append(number)
    assert not found, f"{role} rebuilt and confirmed {found}"


def test_the_member_admin_refuses_to_narrow_the_birth_date(county_officer, registered):
    """?birth_date__gte=… halves the range at each request: a dozen reveal the date."""
    client = client_for(county_officer)
    for lookup in ("birth_date__gte=1977-05-23", "birth_date=1977-05-23", "birth_date__year=1977"):
        response = client.get(f"/admin/households/member/?{lookup}")
        assert response.status_code == 400, lookup
        assert "常有福" not in response.content.decode()
    assert "常有福" in client.get("/admin/households/member/").content.decode()
