"""Login lockout (django-axes, accounts/lockout.py): the login page, the admin login and the API
token login lock a username from one address after DIXIAN_LOGIN_FAILURE_LIMIT failures, for
DIXIAN_LOGIN_COOLOFF_MINUTES; an address alone only after many more."""

from datetime import UTC, datetime, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client, RequestFactory, override_settings
from rest_framework.test import APIClient

from accounts.lockout import client_address, login_logs_prune

pytestmark = pytest.mark.django_db

RIGHT = "test-password-123"  # tests/conftest.py gives every persona this one
WRONG = "not-the-password-9"
LOCKED = "Too many failed logins for this account from this address."
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def page_login(client: Client, username: str, password: str, path: str = "/login/"):
    return client.post(
        path, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def token_login(client: APIClient, username: str, password: str):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def fail_until_locked(client: Client, username: str, path: str = "/login/"):
    for _ in range(4):
        refused = page_login(client, username, WRONG, path)
        assert refused.status_code == 200  # the form again, with its error
    return page_login(client, username, WRONG, path)


@pytest.mark.parametrize(
    ("path", "persona"), [("/login/", "township_cadre"), ("/admin/login/", "county_officer")]
)
def test_five_wrong_passwords_lock_the_login_and_then_refuse_the_right_one(request, path, persona):
    user = request.getfixturevalue(persona)
    client = Client()
    locked = fail_until_locked(client, user.username, path)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED in page and "Try again in 30 minutes." in page
    assert locked["Retry-After"] == str(30 * 60)
    assert "<script>" not in page and "style=" not in page

    right = page_login(client, user.username, RIGHT, path)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_locked_out_page_is_translated_and_no_error(township_cadre):
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "township_cadre", "password": WRONG})
    assert response.status_code == 429  # zh-hans by default: a page, not a 500
    assert response["Content-Language"] == "zh-hans"


def test_five_wrong_passwords_lock_the_api_token_login(api_client_user):
    client = APIClient()
    for _ in range(4):
        assert token_login(client, "api_client", WRONG).status_code == 401
    locked = token_login(client, "api_client", WRONG)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(30 * 60)
    error = locked.json()
    assert error["type"] == "client_error"
    assert error["errors"][0]["code"] == "throttled"
    assert error["errors"][0]["detail"].startswith(LOCKED)

    right = token_login(client, "api_client", RIGHT)
    assert right.status_code == 429 and "token" not in right.json()


def test_the_cool_off_lifts_the_lock_and_a_try_during_it_starts_it_again(
    township_cadre, time_machine
):
    time_machine.move_to(NOW, tick=False)
    client = Client()
    assert fail_until_locked(client, "township_cadre").status_code == 429

    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    assert page_login(client, "township_cadre", RIGHT).status_code == 429
    time_machine.move_to(NOW + timedelta(minutes=39), tick=False)  # 29 minutes after that try
    assert page_login(client, "township_cadre", RIGHT).status_code == 429

    time_machine.move_to(NOW + timedelta(minutes=39 + 31), tick=False)
    lifted = page_login(client, "township_cadre", RIGHT)
    assert lifted.status_code == 302 and lifted["Location"] == "/"


def test_a_successful_login_resets_the_count(township_cadre):
    for _ in range(4):
        page_login(Client(), "township_cadre", WRONG)
    assert page_login(Client(), "township_cadre", RIGHT).status_code == 302
    assert not AccessAttempt.objects.filter(username="township_cadre").exists()

    client = Client()
    for _ in range(4):
        assert page_login(client, "township_cadre", WRONG).status_code == 200
    assert page_login(client, "township_cadre", WRONG).status_code == 429


def test_a_lock_from_one_address_leaves_the_user_free_from_another(township_cadre):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    assert fail_until_locked(attacker, "township_cadre").status_code == 429

    at_the_office = Client(REMOTE_ADDR="10.20.0.15")
    assert page_login(at_the_office, "township_cadre", RIGHT).status_code == 302


def test_a_cadre_locked_out_does_not_lock_colleagues_behind_the_same_address(
    township_cadre, other_township_cadre
):
    township_nat = "10.20.0.1"
    assert fail_until_locked(Client(REMOTE_ADDR=township_nat), "township_cadre").status_code == 429
    colleague = page_login(Client(REMOTE_ADDR=township_nat), "other_township_cadre", RIGHT)
    assert colleague.status_code == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=8)
def test_an_address_that_tries_many_usernames_is_locked_for_all(township_cadre):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(7):
        assert page_login(client, f"guess{n}", WRONG).status_code == 200
    assert page_login(client, "guess7", WRONG).status_code == 429
    assert page_login(client, "township_cadre", RIGHT).status_code == 429
    assert page_login(Client(REMOTE_ADDR="10.20.0.15"), "township_cadre", RIGHT).status_code == 302


@override_settings(LOGIN_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw():
    # The client wrote the first entry itself; the proxy appended the address it saw.
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.20.0.15"
    )
    assert client_address(request) == "10.20.0.15"
    direct = RequestFactory().post("/login/", REMOTE_ADDR="172.18.0.2")
    assert client_address(direct) == "172.18.0.2"


def test_logins_and_failures_are_kept_with_their_address(township_cadre):
    client = Client(REMOTE_ADDR="10.20.0.15")
    page_login(client, "township_cadre", WRONG)
    page_login(client, "township_cadre", RIGHT)
    failure = AccessFailureLog.objects.get(username="township_cadre")
    assert failure.ip_address == "10.20.0.15" and not failure.locked_out
    login = AccessLog.objects.get(username="township_cadre")
    assert login.ip_address == "10.20.0.15" and login.logout_time is None
    assert RIGHT not in str(AccessAttempt.objects.values_list("post_data", flat=True))


def test_login_records_are_pruned_after_the_retention_only(township_cadre, time_machine):
    time_machine.move_to(NOW, tick=False)
    page_login(Client(), "township_cadre", WRONG)
    page_login(Client(), "township_cadre", RIGHT)
    time_machine.move_to(NOW + timedelta(days=100), tick=False)
    page_login(Client(), "township_cadre", RIGHT)

    time_machine.move_to(NOW + timedelta(days=190), tick=False)
    assert login_logs_prune(older_than_days=183) == 2  # the first failure and login
    assert AccessLog.objects.count() == 1 and AccessFailureLog.objects.count() == 0
