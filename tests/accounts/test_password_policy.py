"""The password policy (Django's validators and accounts/password_validation.py) and the page
where a signed-in user changes their password."""

import pytest
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation
from knox.models import AuthToken

from accounts.password_validation import CharacterClassValidator
from tests.conftest import client_for

TOO_FEW_KINDS = "This password mixes too few kinds of character"


def refusals(password: str, user=None) -> list[str]:
    with translation.override("en"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "kinds"),
    [
        ("correcthorsebatterystaple", 1),
        ("CorrectHorseBatteryStaple", 2),
        ("4827 1937 2210", 2),  # digits and spaces
        ("correct-horse-battery", 2),
    ],
)
def test_a_password_of_fewer_than_three_kinds_is_refused_with_the_reason(password, kinds):
    assert any(message.startswith(TOO_FEW_KINDS) for message in refusals(password))


@pytest.mark.parametrize(
    "password",
    ["correct-horse-7", "Correct-horse-battery", "Correct7horse7battery", "水源村-Xuncha-2026"],
)
def test_a_password_of_three_kinds_passes(password):
    assert refusals(password) == []


def test_django_s_own_validators_still_apply():
    assert any("too short" in message for message in refusals("Ab-1"))
    assert any("too common" in message for message in refusals("Password123"))


@override_settings(PASSWORD_CHARACTER_CLASSES=4)
def test_a_county_can_ask_for_all_four_kinds():
    assert any(message.startswith(TOO_FEW_KINDS) for message in refusals("correct-horse-7"))
    assert refusals("Correct-horse-7") == []
    with translation.override("en"):
        assert any(
            "at least 4 of the four kinds" in text for text in password_validators_help_texts()
        )


@override_settings(PASSWORD_CHARACTER_CLASSES=1)
def test_a_county_can_relax_the_kinds():
    assert refusals("correcthorsebatterystaple") == []


def test_the_validator_s_own_option_wins_over_the_setting():
    with pytest.raises(ValidationError):
        CharacterClassValidator(min_classes=4).validate("correct-horse-7")
    CharacterClassValidator(min_classes=2).validate("correcthorse7")


def test_the_help_text_says_the_policy():
    with translation.override("en"):
        texts = password_validators_help_texts()
    assert any("at least 3 of the four kinds" in text for text in texts)


# The password change page -----------------------------------------------------------------------

NEW = "Shuiyuan-village-2026"


def change(client, old: str, new: str, again: str | None = None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.django_db
def test_changing_the_password_keeps_this_session_and_ends_the_others_and_api_tokens(
    township_cadre,
):
    phone = client_for(township_cadre)
    office = client_for(township_cadre)
    AuthToken.objects.create(user=township_cadre)  # a script's token, made with the old password
    response = change(office, "test-password-123", NEW)
    assert response.status_code == 302 and response["Location"] == "/"

    assert office.get("/").status_code == 200
    assert phone.get("/")["Location"].startswith("/login/")
    assert not AuthToken.objects.filter(user=township_cadre).exists()
    township_cadre.refresh_from_db()
    assert township_cadre.check_password(NEW)


@pytest.mark.django_db
def test_a_weak_new_password_is_refused_with_the_reason(township_cadre):
    response = change(client_for(township_cadre), "test-password-123", "shuiyuanvillage")
    assert response.status_code == 200
    assert TOO_FEW_KINDS in response.content.decode()
    township_cadre.refresh_from_db()
    assert township_cadre.check_password("test-password-123")


@pytest.mark.django_db
def test_a_wrong_old_password_changes_nothing(township_cadre):
    response = change(client_for(township_cadre), "not-my-password-1", NEW)
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    township_cadre.refresh_from_db()
    assert township_cadre.check_password("test-password-123")


@pytest.mark.django_db
def test_the_user_menu_links_to_the_password_and_two_factor_pages(village_worker):
    page = client_for(village_worker).get("/").content.decode()
    assert 'href="/account/password/"' in page and 'href="/account/two-factor/"' in page


@pytest.mark.django_db
def test_an_outsider_is_sent_to_log_in(client):
    assert client.get("/account/password/")["Location"].startswith("/login/")
    response = client.post("/account/password/", {"old_password": "x"})
    assert response["Location"].startswith("/login/")
