"""Input that answered 500, or cost seconds, through the API: refused with 400, 403 or 413.

Issue 14, findings 9 and 11: a deeply nested or oversized JSON body (before login), a rule
threshold of the wrong shape, a list of 100,000 elements, a cursor holding a lone surrogate.
"""

import base64
import json
from unittest import mock

import pytest
from django.test import Client
from rest_framework import fields
from rest_framework.test import APIClient

from assistance.models import Case
from monitoring.models import RuleConfig, ScanRun, Signal, Visit
from monitoring.serializers import VisitEventSerializer
from tests.conftest import HOME_COUNTY

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def post_json(client, url: str, body: str):
    return client.generic("POST", url, body, content_type="application/json")


def error_of(response) -> dict:
    body = response.json()
    assert body["type"] == "client_error" or body["type"] == "validation_error", body
    return body["errors"][0]


# The body, before login -------------------------------------------------------------------------


def test_a_deeply_nested_body_is_refused_with_400_before_login():
    response = post_json(api(), TOKEN_URL, "[" * 50_000)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "parse_error"
    assert "nested" in error["detail"]


def test_a_body_nested_just_too_deep_for_the_api_is_refused_too():
    # Python's parser would take 33 levels; the API takes 32.
    response = post_json(api(), TOKEN_URL, "[" * 33 + "]" * 33)
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


def test_a_five_megabyte_body_is_refused_with_413_before_login():
    body = json.dumps({"username": "a" * 5_000_000, "password": "x"})
    response = post_json(api(), TOKEN_URL, body)
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


def test_a_lone_surrogate_in_a_body_is_refused_with_400():
    response = post_json(api(), TOKEN_URL, '{"username": "\\ud800", "password": "x"}')
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


def test_an_ordinary_body_still_reaches_the_view(village_worker):
    body = json.dumps({"username": "village_worker", "password": "test-password-123"})
    response = post_json(api(), TOKEN_URL, body)
    assert response.status_code == 200, response.content
    assert response.json()["token"]


# Rule thresholds --------------------------------------------------------------------------------

RULE = {"region": HOME_COUNTY, "weight": 10}


@pytest.mark.parametrize(
    "params",
    [
        {"kind_severity": {"death": ["high"]}},  # was TypeError: unhashable type: 'list'
        {"kind_severity": {"death": {"x": 1}}},
        {"kind_severity": {"no_such_kind": "high"}},
        {"kind_severity": ["high"]},
        {"days": [90]},
        {"days": 10**12},  # as_of - 10**12 days leaves the calendar in every evaluation
        {"days": True},
    ],
)
def test_a_rule_threshold_of_the_wrong_shape_is_refused_and_nothing_changes(county_officer, params):
    response = api(county_officer).post(
        "/api/v1/rules/",
        {**RULE, "code": "department_signal", "severity": "medium", "params": params},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert error_of(response)["attr"] == "params"
    assert not RuleConfig.objects.exists()
    assert not ScanRun.objects.exists()


@pytest.mark.parametrize("factor", ["Infinity", "NaN", "1e999999", "-1", [1.2]])
def test_a_factor_that_is_no_finite_number_is_refused(county_officer, factor):
    response = api(county_officer).post(
        "/api/v1/rules/",
        {**RULE, "code": "income_near_line", "severity": "low", "params": {"factor": factor}},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert not RuleConfig.objects.exists()


def test_a_good_severity_per_kind_is_still_taken(county_officer):
    response = api(county_officer).post(
        "/api/v1/rules/",
        {
            **RULE,
            "code": "department_signal",
            "severity": "medium",
            "params": {"kind_severity": {"death": "high"}, "days": 60},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert RuleConfig.objects.get().params == {"kind_severity": {"death": "high"}, "days": 60}


# Long lists -------------------------------------------------------------------------------------

HUGE = 100_000


class _Calls:
    """Counts a field class's run_validation calls for one value (the list's element)."""

    def __init__(self, field_class, value):
        self.count = 0
        original = field_class.run_validation

        def counting(field, data=fields.empty):
            if data == value:
                self.count += 1
            return original(field, data)

        self.patch = mock.patch.object(field_class, "run_validation", counting)

    def __enter__(self):
        self.patch.start()
        return self

    def __exit__(self, *exc):
        self.patch.stop()


def test_the_auditor_may_not_propose_a_case_and_no_list_is_read(auditor, household):
    with _Calls(fields.ChoiceField, "illness") as calls:
        response = api(auditor).post(
            "/api/v1/cases/",
            {
                "household": household.pk,
                "origin": "cadre",
                "category": "unstable",
                "risk_types": ["illness"] * HUGE,
                "situation": "x",
            },
            format="json",
        )
    assert response.status_code == 403
    assert calls.count == 0
    assert not Case.objects.exists()


def test_a_village_worker_still_proposes_a_case(village_worker, household):
    response = api(village_worker).post(
        "/api/v1/cases/",
        {
            "household": household.pk,
            "origin": "self_report",
            "category": "sudden_hardship",
            "risk_types": ["illness"],
            "situation": "户主住院治疗，医疗支出大，家庭收入骤减。",
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def test_a_huge_risk_type_list_is_refused_before_any_element_is_checked(village_worker, household):
    with _Calls(fields.ChoiceField, "illness") as calls:
        response = api(village_worker).post(
            "/api/v1/cases/",
            {
                "household": household.pk,
                "origin": "self_report",
                "category": "sudden_hardship",
                "risk_types": ["illness"] * HUGE,
                "situation": "x",
            },
            format="json",
        )
    assert response.status_code == 400
    assert {error["attr"]: error["code"] for error in response.json()["errors"]} == {
        "risk_types": "max_length"
    }
    assert calls.count == 0
    assert not Case.objects.exists()


def test_a_huge_member_list_of_a_measure_is_refused_before_any_element_is_checked(
    township_cadre,
):
    with _Calls(fields.IntegerField, 7_777_777) as calls:
        response = api(township_cadre).post(
            "/api/v1/measures/",
            {"kind": "health", "title": "x", "members": [7_777_777] * HUGE},
            format="json",
        )
    assert response.status_code == 400
    assert "members" in {error["attr"] for error in response.json()["errors"]}
    assert calls.count == 0


def test_a_huge_signal_batch_is_refused_before_any_item_is_checked(api_client_user):
    with _Calls(fields.DictField, {}) as calls:
        response = api(api_client_user).post(
            "/api/v1/signals/", {"items": [{}] * HUGE}, format="json"
        )
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "max_length",
        "detail": "Ensure this field has no more than 1000 elements.",
        "attr": "items",
    }
    assert calls.count == 0
    assert not Signal.objects.exists()


def test_a_visit_with_a_huge_event_list_is_refused_before_any_event_is_checked(
    village_worker, household
):
    with _Calls(VisitEventSerializer, {}) as calls:
        response = api(village_worker).post(
            "/api/v1/visits/",
            {"household": household.pk, "events": [{}] * HUGE},
            format="json",
        )
    assert response.status_code == 400
    assert "events.non_field_errors" in {error["attr"] for error in response.json()["errors"]}
    assert calls.count == 0
    assert not Visit.objects.exists()


# Cursors ----------------------------------------------------------------------------------------


def _cursor(ordering: str, position: list) -> str:
    raw = json.dumps({"o": ordering, "p": position}).encode()  # "\ud800" becomes \ud800
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("url", "cursor"),
    [
        ("/api/v1/households/", "%ED%A0%80"),
        ("/api/v1/households/", _cursor("number,id", ["\ud800", "1"])),
        ("/api/v1/regions/", _cursor("code", ["\ud800"])),
    ],
)
def test_a_cursor_holding_a_lone_surrogate_is_refused_with_400(county_officer, url, cursor):
    response = api(county_officer).get(f"{url}?cursor={cursor}")
    assert response.status_code == 400
    assert error_of(response)["attr"] == "cursor"


def test_a_list_page_refuses_a_cursor_holding_a_lone_surrogate(county_officer):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county_officer)
    cursor = _cursor("number,id", ["\ud800", "1"])
    response = client.get(f"/households/?cursor={cursor}")
    assert response.status_code == 400
