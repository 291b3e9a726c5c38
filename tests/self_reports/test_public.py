"""The public channel, end to end: a code, a report, a query code, and what it never tells."""

import datetime
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from assistance.models import DeadlineProfile
from households.models import Member, Region
from monitoring.models import Alert, AlertEvent, AlertSource
from self_reports.models import PhoneCode, SelfReport, SelfReportStatus
from self_reports.sms import ConsoleBackend
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE
from tests.idgen import make_id_number
from tests.self_reports.conftest import PHONE, report_body

pytestmark = pytest.mark.django_db

UNREGISTERED = make_id_number("620423", "19850412", 77)
QUERY_CODE = re.compile(r'class="query-code mono" translate="no">([0-9A-Z-]+)<')


def submit(client: Client, body: dict, village: str = HOME_VILLAGE):
    return client.post(reverse("public-report", args=[village]), body)


def query_code_of(response) -> str:
    return QUERY_CODE.search(response.content.decode()).group(1)


def nothing_written() -> bool:
    return not SelfReport.objects.exists() and not Alert.objects.exists()


def test_the_village_page_asks_for_a_phone_without_login():
    response = Client().get(reverse("public-report", args=[HOME_VILLAGE]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "水源村" in body and 'name="phone"' in body and "csrfmiddlewaretoken" in body


@pytest.mark.parametrize("code", ["620423100299", "620423100000", "abc", "6204231002000"])
def test_an_unknown_or_non_village_code_is_a_plain_404(code):
    response = Client().get(f"/report/{code}/")
    assert response.status_code == 404


def test_a_report_from_code_to_status(clock, ask_code, sms_outbox):
    client = Client()
    response, code = ask_code(client)
    assert response.status_code == 200
    assert "139****5678" in response.content.decode()
    # The phone the person typed never comes back: the session carries it to the report.
    assert PHONE not in response.content.decode()
    assert code is not None and len(sms_outbox) == 1

    response = submit(client, report_body(code, UNREGISTERED))
    assert response.status_code == 200
    query_code = query_code_of(response)
    report = SelfReport.objects.get()
    assert (report.status, report.village_id, report.hardship) == (
        "received",
        HOME_VILLAGE,
        "illness",
    )
    # Kept as the registry keeps such things: the ID number hashed and masked, the code hashed.
    assert report.id_number_masked == UNREGISTERED[:6] + "********" + UNREGISTERED[-4:]
    assert UNREGISTERED not in str(SelfReport.objects.values().get())
    assert query_code.replace("-", "") not in str(SelfReport.objects.values().get())
    assert report.consent_version and report.consented_at
    assert report.household is None and report.alert is None

    status = client.post(reverse("public-report-status"), {"query_code": query_code.lower()})
    assert status.status_code == 200
    assert "已接收" in status.content.decode()  # received; accepted (受理) is the check's start
    SelfReport.objects.update(status=SelfReportStatus.CHECKING)
    status = client.post(reverse("public-report-status"), {"query_code": query_code})
    assert str(SelfReportStatus.CHECKING.label) in status.content.decode()
    assert "赵小明" not in status.content.decode()


def test_a_wrong_code_writes_nothing_and_says_so(clock, ask_code):
    client = Client()
    _, code = ask_code(client)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = submit(client, report_body(wrong, UNREGISTERED))
    assert response.status_code == 400
    assert "验证码错误" in response.content.decode()
    assert nothing_written()
    assert PhoneCode.objects.get().attempts == 1


def test_a_replayed_code_writes_nothing_the_second_time(clock, ask_code):
    client = Client()
    _, code = ask_code(client)
    assert submit(client, report_body(code, UNREGISTERED)).status_code == 200
    again = submit(client, report_body(code, UNREGISTERED))
    assert again.status_code == 400
    assert "这个验证码已经用过" in again.content.decode()
    assert SelfReport.objects.count() == 1


def test_an_expired_code_writes_nothing(clock, ask_code):
    client = Client()
    _, code = ask_code(client)
    clock.shift(datetime.timedelta(minutes=11))
    response = submit(client, report_body(code, UNREGISTERED))
    assert response.status_code == 400
    assert "验证码已过期" in response.content.decode()
    assert nothing_written()


def test_a_code_guessed_too_often_is_refused_even_when_right(clock, ask_code, settings):
    settings.SELF_REPORT_CODE_ATTEMPTS = 2
    client = Client()
    _, code = ask_code(client)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(2):
        assert submit(client, report_body(wrong, UNREGISTERED)).status_code == 400
    response = submit(client, report_body(code, UNREGISTERED))
    assert response.status_code == 400
    assert "输错次数过多" in response.content.decode()
    assert nothing_written()


def test_an_id_number_with_a_bad_check_digit_is_refused_in_chinese(clock, ask_code):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    _, code = ask_code(client)
    bad = UNREGISTERED[:-1] + ("0" if UNREGISTERED[-1] != "0" else "1")
    response = submit(client, report_body(code, bad))
    assert response.status_code == 400
    assert "校验位" in response.content.decode()
    assert nothing_written()
    # The code was not spent on a form that could not be sent.
    assert PhoneCode.objects.get().used_at is None


def test_a_report_without_consent_is_refused(clock, ask_code):
    client = Client()
    _, code = ask_code(client)
    body = report_body(code, UNREGISTERED)
    del body["consent"]
    response = submit(client, body)
    assert response.status_code == 400
    assert nothing_written()


def test_too_many_codes_for_one_phone_is_a_429(clock, ask_code, settings, sms_outbox):
    settings.SELF_REPORT_CODES_PER_PHONE_HOUR = 2
    for _ in range(2):
        response, _code = ask_code(Client(REMOTE_ADDR="10.0.0.1"))
        assert response.status_code == 200
    response, _code = ask_code(Client(REMOTE_ADDR="10.0.0.2"))
    assert response.status_code == 429
    assert "获取验证码次数过多" in response.content.decode()
    assert len(sms_outbox) == 2 and PhoneCode.objects.count() == 2
    # An hour later the phone may ask again.
    clock.shift(datetime.timedelta(hours=1))
    assert ask_code(Client())[0].status_code == 200


def test_too_many_requests_from_one_address_is_a_429(clock, ask_code, settings):
    settings.SELF_REPORT_REQUESTS_PER_ADDRESS_HOUR = 3
    client = Client(REMOTE_ADDR="10.0.0.9")
    for index in range(3):
        assert ask_code(client, phone=f"1391234000{index}")[0].status_code == 200
    response, code = ask_code(client, phone="13912340009")
    assert response.status_code == 429 and code is None
    assert "请求过于频繁" in response.content.decode()
    status = client.post(reverse("public-report-status"), {"query_code": "ABCD"})
    assert status.status_code == 429
    assert nothing_written() and PhoneCode.objects.count() == 3
    # Another address is not held up.
    assert ask_code(Client(REMOTE_ADDR="10.0.0.10"), phone="13912340009")[0].status_code == 200


def test_too_many_reports_for_one_id_number_is_a_429(clock, ask_code, settings):
    settings.SELF_REPORT_REPORTS_PER_ID_DAY = 2
    for index in range(2):
        client = Client(REMOTE_ADDR=f"10.0.1.{index}")
        phone = f"1381234000{index}"
        _, code = ask_code(client, phone=phone)
        assert submit(client, report_body(code, UNREGISTERED, phone=phone)).status_code == 200
    client = Client(REMOTE_ADDR="10.0.1.9")
    _, code = ask_code(client, phone="13812340009")
    response = submit(client, report_body(code, UNREGISTERED, phone="13812340009"))
    assert response.status_code == 429
    assert "今天申报次数过多" in response.content.decode()
    assert SelfReport.objects.count() == 2


def _answer(client: Client, ask_code, id_number: str, phone: str):
    _, code = ask_code(client, phone=phone)
    response = submit(client, report_body(code, id_number, phone=phone))
    return response


def _shape(response) -> str:
    """The page with its query code and CSRF token taken out: what must not differ."""
    text = response.content.decode()
    text = QUERY_CODE.sub("QUERY", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)


def test_the_answer_is_the_same_for_a_registered_person_and_a_stranger(
    clock, ask_code, household, other_township_household
):
    registered = Member.objects.get(household=household, relation="head")
    from core.id_numbers import decrypt

    registered_number = decrypt(registered.id_number_encrypted)
    elsewhere = Member.objects.get(household=other_township_household)
    elsewhere_number = decrypt(elsewhere.id_number_encrypted)
    other_county = make_id_number("620421", "19800101", 5)
    answers = [
        _answer(Client(REMOTE_ADDR=f"10.0.2.{index}"), ask_code, number, f"1371234000{index}")
        for index, number in enumerate(
            [registered_number, elsewhere_number, other_county, UNREGISTERED]
        )
    ]
    assert {response.status_code for response in answers} == {200}
    assert len({_shape(response) for response in answers}) == 1
    for response in answers:
        assert "张建国" not in response.content.decode()
        assert household.number not in response.content.decode()
    # The status page, likewise.
    shapes = set()
    for answer in answers:
        code = query_code_of(answer)
        status = Client().post(reverse("public-report-status"), {"query_code": code})
        assert status.status_code == 200
        shapes.add(_shape(status).replace(code, "QUERY"))
    assert len(shapes) == 1


def test_a_registered_person_opens_the_household_warning_with_its_acceptance_day(
    clock, ask_code, household
):
    from core.id_numbers import decrypt

    head = Member.objects.get(household=household, relation="head")
    response = _answer(Client(), ask_code, decrypt(head.id_number_encrypted), PHONE)
    assert response.status_code == 200
    report = SelfReport.objects.get()
    assert (report.household_id, report.member_id) == (household.pk, head.pk)
    alert = Alert.objects.get(household=household)
    assert report.alert_id == alert.pk
    assert alert.source == AlertSource.SELF_REPORT
    assert "住院" in alert.self_report
    event = AlertEvent.objects.get(alert=alert)
    assert event.actor is None and event.data == {"reference": f"self_report:{report.pk}"}
    # Thursday + 3 working days (the national default): Tuesday, over the weekend.
    assert report.acceptance_due == datetime.date(2026, 3, 10)


def test_the_county_profile_sets_the_acceptance_days(clock, ask_code):
    DeadlineProfile.objects.create(
        name="景泰县", region_code="620423000000", self_report_acceptance_days=5
    )
    _answer(Client(), ask_code, UNREGISTERED, PHONE)
    # Thursday + 5 working days: the next Thursday.
    assert SelfReport.objects.get().acceptance_due == datetime.date(2026, 3, 12)


def test_a_report_from_another_county_village_does_not_match_this_county(
    clock, ask_code, household
):
    from core.id_numbers import decrypt

    head = Member.objects.get(household=household, relation="head")
    other_county_village = (
        Region.objects.filter(code__startswith="620421", level="village").order_by("code").first()
    ).code
    client = Client()
    _, code = ask_code(client, village=other_county_village)
    response = submit(
        client, report_body(code, decrypt(head.id_number_encrypted)), village=other_county_village
    )
    assert response.status_code == 200
    report = SelfReport.objects.get()
    assert report.household is None and not Alert.objects.exists()


def test_an_unknown_query_code_says_so_and_nothing_more():
    response = Client().post(reverse("public-report-status"), {"query_code": "ZZZZ-ZZZZ-ZZZZ"})
    assert response.status_code == 400
    assert "没有与此查询码对应的申报" in response.content.decode()


def test_the_console_backend_logs_the_phone_masked(caplog):
    with caplog.at_level(logging.INFO, logger="self_reports.sms"):
        ConsoleBackend().send(PHONE, "code 123456")
    assert "139****5678" in caplog.text and PHONE not in caplog.text


def test_the_code_request_refuses_a_bad_phone():
    response = Client().post(reverse("public-report-code", args=[HOME_VILLAGE]), {"phone": "123"})
    assert response.status_code == 400
    assert not PhoneCode.objects.exists()


def test_a_report_to_another_township_village_is_that_village_s(clock, ask_code):
    client = Client()
    _, code = ask_code(client, village=OTHER_TOWNSHIP_VILLAGE)
    submit(client, report_body(code, UNREGISTERED), village=OTHER_TOWNSHIP_VILLAGE)
    assert SelfReport.objects.get().village_id == OTHER_TOWNSHIP_VILLAGE


def test_a_report_in_one_village_does_not_match_a_member_of_another_township(
    clock, ask_code, other_township_household
):
    # The village's cadres receive the report: they could neither see nor answer a warning on a
    # household of another township, so only the village's own members are matched.
    from core.id_numbers import decrypt

    head = Member.objects.get(household=other_township_household, relation="head")
    _answer(Client(), ask_code, decrypt(head.id_number_encrypted), PHONE)
    report = SelfReport.objects.get()
    assert report.household is None and not Alert.objects.exists()


def test_reports_without_a_right_code_do_not_use_up_a_persons_day(clock, ask_code, settings):
    settings.SELF_REPORT_REPORTS_PER_ID_DAY = 2
    for index in range(5):
        client = Client(REMOTE_ADDR=f"10.0.2.{index}")
        ask_code(client, phone=f"1381234100{index}")
        response = submit(client, report_body("000000", UNREGISTERED))
        assert response.status_code == 400
    response = _answer(Client(REMOTE_ADDR="10.0.2.9"), ask_code, UNREGISTERED, "13812341009")
    assert response.status_code == 200 and SelfReport.objects.count() == 1
