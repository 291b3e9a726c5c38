from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from accounts.models import User
from accounts.roles import permissions_of


class RoleBackend(ModelBackend):
    """Django's own backend plus the permissions that come with the user's role.

    Roles grant permissions in code (accounts.roles) so that every county gets the same, reviewed
    matrix; per-user grants made in the admin still work on top of it.

    Every signed-in request reads the user and asks for permissions (the menu alone asks about
    twenty), so both reads are made cheap here: the user comes with the region the page header
    names and with whether the admin granted them anything at all. Hardly anyone has such a
    grant (roles carry the permissions), so a request reads no grants: one statement where
    Django's backend spends three.
    """

    def get_user(self, user_id):
        user = (
            User._default_manager.select_related("region")
            .annotate(has_admin_grants=_has_admin_grants(OuterRef("pk")))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            role = set(permissions_of(user_obj.role))
            user_obj._role_perm_cache = admin_grants_of(user_obj) | role
        return user_obj._role_perm_cache


def _has_admin_grants(user) -> Q:
    """Whether the admin granted `user` (a primary key or an OuterRef to one) a permission or
    a group. Two index probes: cheaper to plan than reading the grants themselves (0.13 ms
    against 0.78, measured on the bench's database)."""
    direct = User.user_permissions.through.objects.filter(user=user)
    groups = User.groups.through.objects.filter(user=user)
    return Exists(direct) | Exists(groups)


def _grant_names(user_pk: int) -> QuerySet:
    """The names ("app_label.codename") of the permissions granted to the user directly or
    through a group."""
    direct = User.user_permissions.through.objects.filter(user=user_pk).values("permission")
    grouped = Group.permissions.through.objects.filter(group__user=user_pk).values("permission")
    return (
        Permission.objects.filter(Q(pk__in=direct) | Q(pk__in=grouped))
        .annotate(grant=Concat("content_type__app_label", Value("."), "codename"))
        .order_by()
        .values_list("grant", flat=True)
    )


def admin_grants_of(user: User) -> set[str]:
    """The permissions the admin granted the user, directly or through a group, as
    "app_label.codename". None are read for a user signed in through the session who has none
    (get_user asked); otherwise in one statement."""
    if user.is_superuser:
        return {
            f"{app_label}.{codename}"
            for app_label, codename in Permission.objects.values_list(
                "content_type__app_label", "codename"
            )
        }
    if getattr(user, "has_admin_grants", True) is False:
        return set()
    return set(_grant_names(user.pk))
