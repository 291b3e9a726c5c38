"""A user's name as people read it, the one way every page, export and API builds it."""

from accounts.models import User


def test_a_user_is_named_by_full_name():
    assert User(username="wf", first_name="芳", last_name="王").display_name == "芳 王"


def test_a_user_without_a_name_is_named_by_username():
    assert User(username="township_system").display_name == "township_system"
