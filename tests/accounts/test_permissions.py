"""What a user may do: the role's permissions (accounts.roles) and, on top of them, what the admin
granted the user or one of the user's groups (accounts.backends.RoleBackend): read once a request
in one statement, and by a session's request not at all when the admin granted nothing."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import RoleBackend
from accounts.models import User

SIGNALS = "monitoring.view_signal"  # not a village worker's by role


def _fresh(user: User) -> User:
    """The user as the next request reads it, with nothing cached."""
    return User.objects.get(pk=user.pk)


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_a_role_grants_its_permissions_and_no_other(village_worker):
    user = _fresh(village_worker)
    assert user.has_perm("monitoring.add_visit")
    assert not user.has_perm(SIGNALS)


def test_a_grant_to_the_user_or_to_a_group_adds_to_the_role(village_worker, township_cadre):
    village_worker.user_permissions.add(_permission(SIGNALS))
    assert _fresh(village_worker).has_perm(SIGNALS)

    group = Group.objects.create(name="审计协查")
    group.permissions.add(_permission("audit.view_audit"))
    township_cadre.groups.add(group)
    cadre = _fresh(township_cadre)
    assert cadre.has_perm("audit.view_audit")
    assert cadre.has_perm("monitoring.change_alert")  # the role's own still hold
    assert not _fresh(village_worker).has_perm("audit.view_audit")  # not in the group


def test_an_inactive_user_may_do_nothing(village_worker):
    village_worker.is_active = False
    village_worker.save()
    assert not _fresh(village_worker).has_perm("monitoring.add_visit")


def test_a_superuser_holds_every_permission(village_worker):
    village_worker.is_superuser = True
    village_worker.save()
    assert "audit.view_audit" in _fresh(village_worker).get_all_permissions()


def test_the_permissions_of_a_request_cost_one_statement(village_worker):
    """The menu alone asks about twenty times; Django's own backend read the grants in two
    statements on the first ask."""
    user = _fresh(village_worker)
    with CaptureQueriesContext(connection) as queries:
        for label in ("monitoring.add_visit", SIGNALS, "households.view_household", SIGNALS):
            user.has_perm(label)
    assert len(queries.captured_queries) == 1


def _signed_in(user: User) -> User:
    """The user as a session's request reads it (what AuthenticationMiddleware asks for)."""
    return RoleBackend().get_user(user.pk)


def test_a_signed_in_user_the_admin_granted_nothing_costs_no_statement_for_permissions(
    village_worker,
):
    user = _signed_in(village_worker)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("monitoring.add_visit")
        assert not user.has_perm(SIGNALS)
    assert queries.captured_queries == []


def test_a_signed_in_users_grants_hold_directly_and_through_a_group(village_worker, township_cadre):
    village_worker.user_permissions.add(_permission(SIGNALS))
    worker = _signed_in(village_worker)
    assert worker.has_perm(SIGNALS)
    assert worker.has_perm("monitoring.add_visit")
    assert not worker.has_perm("audit.view_audit")

    group = Group.objects.create(name="审计协查")
    group.permissions.add(_permission("audit.view_audit"))
    township_cadre.groups.add(group)
    cadre = _signed_in(township_cadre)
    assert cadre.has_perm("audit.view_audit")
    assert not _signed_in(village_worker).has_perm("audit.view_audit")  # not in the group
    assert cadre.has_perm("monitoring.change_alert")


def test_a_signed_in_request_reads_the_user_with_the_region_it_shows(client, village_worker):
    """The page header names the user's region: read with the user, not after it."""
    client.force_login(village_worker)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/more/")
    assert response.status_code == 200
    region_reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().startswith('SELECT "households_region"')
    ]
    assert region_reads == []
    assert village_worker.region.short_name in response.content.decode()


def test_a_signed_in_user_is_read_whole_with_its_region_in_one_statement(village_worker):
    from django.forms.models import model_to_dict

    with CaptureQueriesContext(connection) as queries:
        user = _signed_in(village_worker)
    assert len(queries.captured_queries) == 1
    stored = User.objects.select_related("region").get(pk=village_worker.pk)
    assert model_to_dict(user) == model_to_dict(stored)
    assert (user.last_login, user.date_joined, user.password) == (
        stored.last_login,
        stored.date_joined,
        stored.password,
    )
    with CaptureQueriesContext(connection) as queries:
        assert model_to_dict(user.region) == model_to_dict(stored.region)
        assert user.region.parent_id == stored.region.parent_id
    assert queries.captured_queries == []
    assert user.has_admin_grants is False


def test_a_user_without_a_region_an_unknown_id_and_an_inactive_user(village_worker):
    User.objects.filter(pk=village_worker.pk).update(region=None)
    user = _signed_in(village_worker)
    with CaptureQueriesContext(connection) as queries:
        assert user.region is None
    assert queries.captured_queries == []
    assert RoleBackend().get_user(village_worker.pk + 10_000) is None
    User.objects.filter(pk=village_worker.pk).update(is_active=False)
    assert RoleBackend().get_user(village_worker.pk) is None
