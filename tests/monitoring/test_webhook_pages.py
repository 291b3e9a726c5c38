"""The webhook pages read in Chinese: kinds of notification by their labels, never their keys."""

import pytest

from monitoring.messages import MESSAGES, message_kinds, render_message
from monitoring.services.webhooks import webhook_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_kind_of_notification_has_a_label_in_chinese():
    labels = dict(message_kinds())
    assert set(labels) == set(MESSAGES)
    unlabelled = [key for key, label in labels.items() if label == key or label.isascii()]
    assert unlabelled == []


def test_the_webhook_page_names_kinds_and_columns_in_chinese(county_officer):
    webhook_create(
        actor=county_officer,
        name="县大数据平台",
        url="https://example.org/hook",
        secret="",
        kinds=["step_overdue", "case_mention"],
    )
    page = client_for(county_officer).get("/webhooks/").content.decode()
    assert "办理环节已超期" in page and "案件留言中提到您" in page
    assert "step_overdue" not in page.replace('value="step_overdue"', "")
    # A webhook has a name and an address, not a person's 姓名 and 住址.
    assert "姓名" not in page and "住址" not in page
    assert ">景泰县</td>" in page  # its region by name, not its code


def test_an_empty_delivery_log_says_when_it_fills(county_officer):
    page = client_for(county_officer).get("/webhooks/deliveries/").content.decode()
    assert "暂无推送记录" in page and "已落实" not in page


def test_a_delegations_period_is_written_with_its_years():
    text = render_message(
        "delegation_given",
        {
            "user": "县级干部",
            "steps": "村级环节",
            "region": "石门村",
            "start": "2026-12-02",
            "end": "2027-03-02",
        },
    )
    assert "2026年12月2日 至 2027年3月2日" in text


def test_a_month_and_day_are_written_without_a_leading_zero():
    text = render_message(
        "step_due", {"step": "Home verification", "number": "1", "due": "2027-03-05"}
    )
    assert "3月5日" in text and "03月" not in text
