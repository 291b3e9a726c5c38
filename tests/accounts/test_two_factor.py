"""Two-factor login (accounts/two_factor.py, login_views.py, middleware.py): enrolment with a QR
code and backup codes, the code step between password and session, the roles a county requires
it for, and the API token login. Codes are real TOTP codes at a pinned time."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.two_factor import enrolment_device, secret_base32, two_factor_confirm
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


@pytest.fixture
def pinned(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def enrol(user, pinned) -> tuple[TOTPDevice, list[str]]:
    """Set up two-factor login for the user, then let the step of the code used pass (a code is
    good once)."""
    device = enrolment_device(user)
    confirmed = two_factor_confirm(user=user, token=current_code(device))
    assert confirmed is not None
    pinned.shift(30)
    return confirmed


def password_step(client: Client, user, path: str = "/login/", next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(path, data, HTTP_ACCEPT_LANGUAGE="en")


def code_step(client: Client, code: str, next_url: str = "/"):
    return client.post(
        f"/login/code/?next={next_url}", {"otp_token": code}, HTTP_ACCEPT_LANGUAGE="en"
    )


# Enrolment ---------------------------------------------------------------------------------------


def test_the_page_shows_a_qr_code_and_the_secret_for_manual_entry(township_cadre):
    client = client_for(township_cadre)
    response = client.get("/account/two-factor/")
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=township_cadre, confirmed=False)
    # The QR code is a data: image, which the page's Content-Security-Policy lets through.
    images = response["Content-Security-Policy"].split("img-src")[1].split(";")[0]
    assert "data:" in images.split()
    assert 'src="data:image/svg+xml' in page and secret_base32(device) in page
    assert "<script" not in page.split("</head>")[1] and "style=" not in page
    # Reloading shows the same secret: what was scanned stays good until confirmed.
    assert secret_base32(device) in client.get("/account/two-factor/").content.decode()
    assert TOTPDevice.objects.filter(user=township_cadre).count() == 1


def test_a_current_code_turns_it_on_and_shows_ten_backup_codes_once(township_cadre, pinned):
    client = client_for(township_cadre)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=township_cadre)
    response = client.post(
        "/account/two-factor/", {"action": "confirm", "otp_token": current_code(device)}
    )
    assert response.status_code == 200
    codes = list(StaticDevice.objects.get(user=township_cadre).token_set.values_list("token"))
    assert len(codes) == 10
    page = response.content.decode()
    assert all(code in page for (code,) in codes)
    device.refresh_from_db()
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    again = client.get("/account/two-factor/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Two-factor login is on" in again and codes[0][0] not in again


def test_a_wrong_code_does_not_turn_it_on(township_cadre, pinned):
    client = client_for(township_cadre)
    client.get("/account/two-factor/")
    response = client.post(
        "/account/two-factor/",
        {"action": "confirm", "otp_token": "000000"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=township_cadre, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=township_cadre).exists()


def test_it_is_turned_off_only_with_a_code(township_cadre, pinned):
    device, _ = enrol(township_cadre, pinned)
    client = client_for(township_cadre)
    wrong = client.post("/account/two-factor/", {"action": "disable", "otp_token": "123456"})
    assert wrong.status_code == 400 and TOTPDevice.objects.filter(user=township_cadre).exists()

    pinned.shift(30)  # past django-otp's throttle after a wrong code
    right = client.post(
        "/account/two-factor/", {"action": "disable", "otp_token": current_code(device)}
    )
    assert right.status_code == 302
    assert not TOTPDevice.objects.filter(user=township_cadre, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=township_cadre).exists()


def test_an_outsider_is_sent_to_log_in(client):
    assert client.get("/account/two-factor/")["Location"].startswith("/login/")
    assert client.post("/account/two-factor/", {"action": "confirm"})["Location"].startswith(
        "/login/"
    )


# Logging in --------------------------------------------------------------------------------------


def test_the_password_alone_does_not_log_in_a_user_with_two_factor(township_cadre, pinned):
    device, _ = enrol(township_cadre, pinned)
    client = Client()
    response = password_step(client, township_cadre, next_url="/households/")
    assert response.status_code == 302
    assert response["Location"] == "/login/code/?next=%2Fhouseholds%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/households/")["Location"].startswith("/login/")

    logged_in = code_step(client, current_code(device), next_url="/households/")
    assert logged_in.status_code == 302 and logged_in["Location"] == "/households/"
    assert client.session["_auth_user_id"] == str(township_cadre.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/households/").status_code == 200


def test_a_backup_code_logs_in_once(township_cadre, pinned):
    _, codes = enrol(township_cadre, pinned)
    first = Client()
    password_step(first, township_cadre)
    assert code_step(first, codes[0].upper()).status_code == 302  # as typed from paper

    second = Client()
    password_step(second, township_cadre)
    reused = code_step(second, codes[0])
    assert reused.status_code == 400 and "_auth_user_id" not in second.session


def test_a_user_without_two_factor_logs_in_with_the_password(village_worker):
    client = Client()
    response = password_step(client, village_worker)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(village_worker.pk)


def test_the_admin_login_asks_for_the_code_too(county_officer, pinned):
    enrol(county_officer, pinned)
    client = Client()
    response = password_step(client, county_officer, "/admin/login/", next_url="/admin/")
    assert response["Location"] == "/login/code/?next=%2Fadmin%2F"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_code_step_without_a_password_goes_back_to_the_login(client, township_cadre, pinned):
    device, _ = enrol(township_cadre, pinned)
    assert client.get("/login/code/")["Location"].startswith("/login/?")
    response = client.post("/login/code/", {"otp_token": current_code(device)})
    assert response["Location"].startswith("/login/?") and "_auth_user_id" not in client.session


def test_the_password_is_good_for_the_code_step_for_five_minutes(township_cadre, pinned):
    device, _ = enrol(township_cadre, pinned)
    client = Client()
    password_step(client, township_cadre)
    pinned.shift(timedelta(minutes=5, seconds=30))
    late = code_step(client, current_code(device))
    assert late["Location"].startswith("/login/?") and "_auth_user_id" not in client.session


def test_wrong_codes_count_as_failed_logins_and_lock(township_cadre, pinned):
    device, _ = enrol(township_cadre, pinned)
    client = Client()
    password_step(client, township_cadre)
    for _ in range(4):
        wrong = code_step(client, "000000")
        assert wrong.status_code == 400
        assert "This code is not right" in wrong.content.decode()
    locked = code_step(client, "000000")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()

    pinned.shift(60)
    assert code_step(client, current_code(device)).status_code == 429
    assert "_auth_user_id" not in client.session
    # The password too, as for any locked-out login.
    assert password_step(Client(), township_cadre).status_code == 429


# Roles a county requires it for ------------------------------------------------------------------


@override_settings(TWO_FACTOR_ROLES=["county_officer", "auditor"])
def test_a_required_role_without_a_device_is_sent_to_set_it_up_everywhere(
    county_officer, village_worker
):
    client = client_for(county_officer)
    for path in ("/households/", "/admin/", "/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/two-factor/?next=")
    api = client.get("/api/v1/households/", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 403
    assert api.json()["errors"][0]["detail"].startswith("Two-factor login is required")
    assert client.get("/account/two-factor/").status_code == 200
    # Roles not listed are not asked.
    assert client_for(village_worker).get("/households/").status_code == 200


@override_settings(TWO_FACTOR_ROLES=["county_officer"])
def test_setting_it_up_lets_a_required_role_in(county_officer, pinned):
    client = client_for(county_officer)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=county_officer)
    client.post(
        "/account/two-factor/",
        {"action": "confirm", "otp_token": current_code(device), "next": "/households/"},
    )
    assert client.get("/households/").status_code == 200
    assert client.get("/admin/").status_code == 200


@override_settings(TWO_FACTOR_ROLES=["county_officer"])
def test_a_required_role_with_a_device_but_no_code_this_session_is_sent_to_the_code_step(
    county_officer, pinned
):
    device, _ = enrol(county_officer, pinned)
    client = client_for(county_officer)  # signed in some other way: no code given
    response = client.get("/households/")
    assert response["Location"] == "/login/code/?next=%2Fhouseholds%2F"
    assert code_step(client, current_code(device), "/households/")["Location"] == "/households/"
    assert client.get("/households/").status_code == 200


@override_settings(TWO_FACTOR_ROLES=["county_officer"])
def test_a_required_role_cannot_turn_it_off(county_officer, pinned):
    device, _ = enrol(county_officer, pinned)
    client = Client()
    password_step(client, county_officer)
    code_step(client, current_code(device))
    pinned.shift(30)
    response = client.post(
        "/account/two-factor/",
        {"action": "disable", "otp_token": current_code(device)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "it stays on" in response.content.decode()
    assert TOTPDevice.objects.filter(user=county_officer, confirmed=True).exists()


# The API token login -----------------------------------------------------------------------------


def token_login(**data):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": "api_client", "password": PASSWORD, **data},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_token_login_of_a_user_with_two_factor_needs_a_code(api_client_user, pinned):
    device, _ = enrol(api_client_user, pinned)
    without = token_login()
    assert without.status_code == 401
    assert "otp_token" in without.json()["errors"][0]["detail"]
    wrong = token_login(otp_token="000000")
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["detail"].startswith("This code is not right")

    pinned.shift(30)  # past the device's throttle
    right = token_login(otp_token=current_code(device))
    assert right.status_code == 200 and right.json()["token"]


def test_wrong_codes_lock_the_token_login(api_client_user, pinned):
    device, _ = enrol(api_client_user, pinned)
    for _ in range(4):
        assert token_login(otp_token="000000").status_code == 401
    assert token_login(otp_token="000000").status_code == 429
    pinned.shift(60)
    assert token_login(otp_token=current_code(device)).status_code == 429


@override_settings(TWO_FACTOR_ROLES=["api_client"])
def test_a_required_role_without_a_device_gets_no_token(api_client_user):
    response = token_login()
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
