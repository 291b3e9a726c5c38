"""Request logs: one JSON line per request with its context, request ids, masked numbers."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery._state import _task_stack
from django.test import Client

from core import request_log
from core.request_log import ContextFilter, PersonalNumberMaskFilter, mask_personal_numbers
from monitoring.tasks import evaluate_household
from tests.conftest import client_for
from tests.idgen import make_id_number

BASE_DIR = Path(__file__).resolve().parents[2]
ID_NUMBER = make_id_number("620423", "19680315", 1)


def _request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "dixian.request"]


def test_production_log_is_one_json_line_per_request_with_its_fields():
    # The real settings in a process of their own, as gunicorn would load them.
    script = (
        "import django, logging; django.setup();"
        "from django.test import Client;"
        "Client().get('/login/', HTTP_X_REQUEST_ID='probe-42');"
        f"logging.getLogger('dixian.test').warning('looked up {ID_NUMBER} from 13893001234')"
    )
    env = dict(os.environ, DIXIAN_LOG_FORMAT="json", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "dixian.request"]
    assert len(requests) == 1
    line = requests[0]
    assert {"timestamp", "level", "logger", "message", "request_id", "user_id", "path"} <= set(line)
    assert line["request_id"] == "probe-42"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/login/", 200)
    assert line["duration_ms"] > 0
    assert line["level"] == "INFO"
    warning = next(line for line in lines if line["logger"] == "dixian.test")
    assert ID_NUMBER not in warning["message"]
    assert "13893001234" not in warning["message"]
    assert ID_NUMBER[:6] + "********" + ID_NUMBER[-4:] in warning["message"]


@pytest.mark.django_db
def test_request_id_round_trips_and_a_new_one_is_made_otherwise(caplog):
    caplog.set_level(logging.INFO, logger="dixian.request")

    given = Client().get("/login/", HTTP_X_REQUEST_ID="abc-123")
    made = Client().get("/login/")
    refused = Client().get("/login/", HTTP_X_REQUEST_ID="bad id\nforged log line")

    assert given["X-Request-ID"] == "abc-123"
    assert len(made["X-Request-ID"]) == 32
    assert refused["X-Request-ID"] not in ("bad id\nforged log line", made["X-Request-ID"])
    assert [record.request_id for record in _request_records(caplog)] == [
        "abc-123",
        made["X-Request-ID"],
        refused["X-Request-ID"],
    ]


@pytest.mark.django_db
def test_signed_in_user_and_path_without_query_string_are_logged(caplog, township_cadre):
    caplog.set_level(logging.INFO, logger="dixian.request")

    client_for(township_cadre).get("/households/", {"q": ID_NUMBER})

    (record,) = _request_records(caplog)
    assert record.user_id == township_cadre.pk
    assert record.path == "/households/"
    assert ID_NUMBER not in record.getMessage()


def _record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("dixian.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_id_numbers_cards_and_phones_are_masked_in_messages_and_arguments():
    record = _record(
        "member %s, phone %s, card %s", ID_NUMBER, "13893005678", "6228480402564890018"
    )

    PersonalNumberMaskFilter().filter(record)

    assert record.getMessage() == (
        f"member {ID_NUMBER[:6]}********{ID_NUMBER[-4:]}, phone 138****5678,"
        " card ***************0018"
    )


def test_id_number_ending_in_x_and_in_a_traceback_is_masked():
    number = ID_NUMBER[:17] + "x"
    try:
        raise ValueError(f"no member {number}")
    except ValueError:
        record = _record("lookup failed", exc_info=sys.exc_info())

    PersonalNumberMaskFilter().filter(record)

    assert number not in record.exc_text
    assert "no member" in record.exc_text


@pytest.mark.parametrize(
    "kept",
    ["region 620423100200", "household 6204231002000012", "2026-11-23 18:00:00", "id 123"],
)
def test_region_codes_dates_and_ids_stay_readable(kept):
    assert mask_personal_numbers(kept) == kept


def test_task_logs_carry_the_task_name_and_id():
    # The state a worker sets around a task's run: the task on the stack, its request pushed.
    task = evaluate_household
    task.push_request(id="task-id-1")
    _task_stack.push(task)
    try:
        record = _record("judged")
        ContextFilter().filter(record)
    finally:
        _task_stack.pop()
        task.pop_request()

    assert (record.task_name, record.task_id) == (
        "monitoring.tasks.evaluate_household",
        "task-id-1",
    )


def test_extra_fields_are_masked_too():
    # Celery's "received" line carries the task's arguments in an extra field of its own.
    record = _record("Task received")
    record.data = {"args": f"({ID_NUMBER!r},)", "name": "monitoring.tasks.x", "eta": None}

    PersonalNumberMaskFilter().filter(record)

    assert ID_NUMBER not in record.data["args"]
    assert record.data["name"] == "monitoring.tasks.x"


def test_django_errors_are_written_once_and_masked():
    script = (
        "import django, logging; django.setup();"
        f"logging.getLogger('django.request').error('Bad request for {ID_NUMBER}')"
    )
    env = dict(os.environ, DIXIAN_LOG_FORMAT="plain", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.count("Bad request for") == 1
    assert ID_NUMBER not in result.stderr


def test_a_made_request_id_is_never_masked_in_the_log(monkeypatch):
    """A uuid4 hex whose digits read as a mobile number is drawn again, so the log line carries
    the id the response's header gives (it once did not: 3534111302874726842c… was starred)."""
    drawn = iter(["3534111302874726842c56318779ef97", "13812345678abcdefabcdefabcdefabc"])
    monkeypatch.setattr(
        request_log.uuid, "uuid4", lambda: SimpleNamespace(hex=next(drawn, "ab" * 16))
    )
    assert request_log.new_request_id() == "ab" * 16
