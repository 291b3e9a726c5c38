import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.conftest import HOME_VILLAGE
from tests.self_reports import outbox

# Thursday 5 March 2026, 10:00 in Shanghai: three working days later is Tuesday 10 March.
NOW = datetime.datetime(2026, 3, 5, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "tests.self_reports.outbox.OutboxBackend"
    outbox.OUTBOX.clear()
    yield outbox.OUTBOX
    outbox.OUTBOX.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ask_code(django_capture_on_commit_callbacks):
    """Ask for a code through the public page (the on-commit send runs): (response, the code)."""

    def ask(client: Client, phone: str = PHONE, village: str = HOME_VILLAGE, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("public-report-code", args=[village]), {"phone": phone}, **extra
            )
        codes = [
            re.search(r"\d{6}", text).group() for sent_to, text in outbox.OUTBOX if sent_to == phone
        ]
        return response, (codes[-1] if codes else None)

    return ask


def report_body(code: str, id_number: str, phone: str = PHONE, **fields) -> dict:
    return {
        "phone": phone,
        "code": code,
        "name": "赵小明",
        "id_number": id_number,
        "hardship": "illness",
        "account": "父亲今年住院两次，自付医疗费四万多元，家里没有劳动力。",
        "consent": "on",
        **fields,
    }
