from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

from accounts.models import User
from accounts.roles import permissions_of


class RoleBackend(ModelBackend):
    """Django's own backend plus the permissions that come with the user's role.

    Roles grant permissions in code (accounts.roles) so that every county gets the same, reviewed
    matrix; per-user grants made in the admin still work on top of it.

    Every signed-in request reads the user and asks for permissions (the menu alone asks about
    twenty), so both reads are made cheap here: the user comes with the region the page header
    names, and the admin's grants are read in one statement instead of Django's two.
    """

    def get_user(self, user_id):
        user = User._default_manager.select_related("region").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            role = set(permissions_of(user_obj.role))
            user_obj._role_perm_cache = admin_grants_of(user_obj) | role
        return user_obj._role_perm_cache


def admin_grants_of(user: User) -> set[str]:
    """The permissions the admin granted the user, directly or through a group, as
    "app_label.codename": what ModelBackend reads in two ORM statements, in one plain one (this
    runs on every request, and compiling the two ORM queries cost more than running them)."""
    if user.is_superuser:
        return {
            f"{app_label}.{codename}"
            for app_label, codename in Permission.objects.values_list(
                "content_type__app_label", "codename"
            )
        }
    sql = f"""
        SELECT content_type.app_label, permission.codename
        FROM {Permission._meta.db_table} AS permission
        JOIN {ContentType._meta.db_table} AS content_type
            ON content_type.id = permission.content_type_id
        WHERE permission.id IN (
            SELECT permission_id FROM {User.user_permissions.through._meta.db_table}
            WHERE user_id = %(user)s
            UNION ALL
            SELECT group_permission.permission_id
            FROM {Group.permissions.through._meta.db_table} AS group_permission
            JOIN {User.groups.through._meta.db_table} AS membership
                ON membership.group_id = group_permission.group_id
            WHERE membership.user_id = %(user)s
        )
    """
    with connections[router.db_for_read(Permission)].cursor() as cursor:
        cursor.execute(sql, {"user": user.pk})
        return {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
