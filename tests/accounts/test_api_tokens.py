"""API tokens end after DIXIAN_API_TOKEN_DAYS, and each user sees and revokes their own at
/account/tokens/ (issue 14: tokens never expired by default)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from accounts.tasks import api_tokens_prune
from accounts.token_auth import TokenAuthentication
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def token_for(username: str) -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": "test-password-123"}
    )
    assert response.status_code == 200
    return response.json()


def households_with(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/households/")


def test_a_token_ends_after_thirty_days_and_says_so(api_client_user):
    with time_machine.travel(NOW, tick=False):
        answer = token_for("api_client")
    expiry = datetime.datetime.fromisoformat(answer["expiry"])
    assert expiry == NOW + datetime.timedelta(days=30)
    with time_machine.travel(NOW + datetime.timedelta(days=29), tick=False):
        assert households_with(answer["token"]).status_code == 200
    with time_machine.travel(NOW + datetime.timedelta(days=30, seconds=1), tick=False):
        assert households_with(answer["token"]).status_code == 401
    assert not AuthToken.objects.filter(user=api_client_user).exists()  # deleted when used


def test_the_nightly_sweep_deletes_expired_tokens_only(api_client_user):
    with time_machine.travel(NOW, tick=False):
        AuthToken.objects.create(user=api_client_user)
    with time_machine.travel(NOW + datetime.timedelta(days=20), tick=False):
        _, fresh = AuthToken.objects.create(user=api_client_user)
    with time_machine.travel(NOW + datetime.timedelta(days=31), tick=False):
        assert api_tokens_prune() == 1
        assert households_with(fresh).status_code == 200


def test_a_request_reads_its_own_token_only(api_client_user):
    """knox read every token of the user on each request, to delete the expired ones; a
    department's system holding many paid for all of them every time (accounts/token_auth.py)."""
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):
        for _ in range(3):
            AuthToken.objects.create(user=api_client_user)  # expired by NOW
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            AuthToken.objects.create(user=api_client_user)
        _, token = AuthToken.objects.create(user=api_client_user)
        with CaptureQueriesContext(connection) as queries:
            assert households_with(token).status_code == 200
    token_reads = [q["sql"] for q in queries.captured_queries if "knox_authtoken" in q["sql"]]
    assert len(token_reads) == 1, token_reads
    # The expired ones wait for the nightly sweep.
    assert AuthToken.objects.filter(user=api_client_user).count() == 7


def test_a_token_s_user_carries_its_region_and_whether_the_admin_granted_it_anything(
    api_client_user,
):
    _, token = AuthToken.objects.create(user=api_client_user)
    user, _ = TokenAuthentication().authenticate_credentials(token.encode())
    assert user.has_admin_grants is False
    with CaptureQueriesContext(connection) as queries:
        assert user.region.code == api_client_user.region_id
        assert user.has_perm("households.view_household")
    assert not queries.captured_queries
    granted = Permission.objects.get(codename="add_scanrun")
    api_client_user.user_permissions.add(granted)
    user, _ = TokenAuthentication().authenticate_credentials(token.encode())
    assert user.has_admin_grants is True
    assert user.has_perm("monitoring.add_scanrun")


def test_a_deactivated_user_s_token_is_refused(api_client_user):
    _, token = AuthToken.objects.create(user=api_client_user)
    assert households_with(token).status_code == 200
    type(api_client_user).objects.filter(pk=api_client_user.pk).update(is_active=False)
    assert households_with(token).status_code == 401
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(token.encode())


def test_the_token_page_lists_the_user_s_own_tokens_by_prefix_only(township_cadre, county_officer):
    _, mine = AuthToken.objects.create(user=township_cadre)
    _, theirs = AuthToken.objects.create(user=county_officer)
    response = client_for(township_cadre).get("/account/tokens/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert mine[:8] in page and mine not in page
    assert theirs[:8] not in page
    assert "A token ends 30 days after it is made" in page


def test_an_expired_token_is_not_listed(township_cadre):
    _, old = AuthToken.objects.create(user=township_cadre, expiry=datetime.timedelta(days=-1))
    page = client_for(township_cadre).get("/account/tokens/").content.decode()
    assert old[:8] not in page


def test_revoking_a_token_ends_it(township_cadre):
    token, key = AuthToken.objects.create(user=township_cadre)
    _, other = AuthToken.objects.create(user=township_cadre)
    response = client_for(township_cadre).post("/account/tokens/", {"token": token.token_key})
    assert response.status_code == 302 and response["Location"] == "/account/tokens/"
    assert households_with(key).status_code == 401
    assert AuthToken.objects.filter(user=township_cadre).count() == 1
    assert households_with(other).status_code == 200  # the others stay


def test_another_user_s_token_cannot_be_revoked(township_cadre, county_officer):
    theirs, key = AuthToken.objects.create(user=county_officer)
    response = client_for(township_cadre).post("/account/tokens/", {"token": theirs.token_key})
    assert response.status_code == 404
    assert AuthToken.objects.filter(pk=theirs.pk).exists()


def test_a_revoke_without_a_token_changes_nothing(township_cadre):
    AuthToken.objects.create(user=township_cadre)
    response = client_for(township_cadre).post("/account/tokens/", {})
    assert response.status_code == 400
    assert AuthToken.objects.filter(user=township_cadre).count() == 1


def test_an_outsider_is_sent_to_log_in(client):
    assert client.get("/account/tokens/")["Location"].startswith("/login/")
