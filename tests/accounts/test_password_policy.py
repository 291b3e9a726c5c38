"""The password policy (Django's validators and accounts/password_validation.py) and the page
where a signed-in user changes their password."""

import pytest
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
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
    # The account's links are on the "more" page (the phone's menu button, the desktop's link).
    page = client_for(village_worker).get("/more/").content.decode()
    assert 'href="/account/password/"' in page and 'href="/account/two-factor/"' in page


@pytest.mark.django_db
def test_an_outsider_is_sent_to_log_in(client):
    assert client.get("/account/password/")["Location"].startswith("/login/")
    response = client.post("/account/password/", {"old_password": "x"})
    assert response["Location"].startswith("/login/")


# Issue 14: common passwords as they are decorated, the username inside, guessing the current
# password, and the too-short message in Chinese. -------------------------------------------------

COMMON = "This password is a common password, a keyboard pattern, a name or a date"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    [
        "1qaz@WSX3edc",  # a keyboard walk typed with shift
        "Zaq1@wsx#EDC",
        "Woaini@5201314",  # "I love you" and "I love you for a lifetime"
        "P@ssw0rd2026!",
        "Jingtai#19880808",  # the county's name and a birthday
        "Dixian@2026!",
        "Ab-1988.08.08-2026",  # dates with a few letters
    ],
)
def test_a_decorated_common_password_is_refused_on_the_change_page(township_cadre, password):
    response = change(client_for(township_cadre), "test-password-123", password)
    assert response.status_code == 200
    assert COMMON in response.content.decode()
    township_cadre.refresh_from_db()
    assert township_cadre.check_password("test-password-123")


@pytest.mark.django_db
def test_a_password_containing_the_username_is_refused(township_cadre):
    # Long enough around the username for Django's similarity check to let it through.
    response = change(
        client_for(township_cadre), "test-password-123", "my-Township_Cadre-key-2026!"
    )
    assert response.status_code == 200
    assert "The password contains your username." in response.content.decode()
    township_cadre.refresh_from_db()
    assert township_cadre.check_password("test-password-123")


def test_a_password_containing_the_user_s_name_or_mail_is_refused():
    from accounts.models import User

    user = User(username="li_ming", last_name="王", first_name="芳", email="wangfang@example.cn")
    assert any("e-mail" in text or "email" in text for text in refusals("Wangfang.Key-2026", user))
    assert any("contains your full name" in text for text in refusals("王芳-Xuncha-2026x", user))
    assert refusals("水源村-Xuncha-2026", user) == []


@pytest.mark.django_db
def test_the_change_page_says_too_short_in_chinese(township_cadre):
    response = client_for(township_cadre).post(
        "/account/password/",
        {"old_password": "test-password-123", "new_password1": "Ab-1", "new_password2": "Ab-1"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert "密码太短，至少要有 12 个字符。" in page and "too short" not in page


@pytest.mark.django_db
def test_guessing_the_current_password_locks_like_failed_logins(township_cadre):
    client = client_for(township_cadre)
    for _ in range(4):
        assert change(client, "not-my-password-1", NEW).status_code == 200
    locked = change(client, "not-my-password-1", NEW)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Locked: not even the right current password is checked, and the login is locked too.
    assert change(client, "test-password-123", NEW).status_code == 429
    township_cadre.refresh_from_db()
    assert township_cadre.check_password("test-password-123")
    login = Client().post(
        "/login/", {"username": "township_cadre", "password": "test-password-123"}
    )
    assert login.status_code == 429
