from django.contrib.auth.backends import ModelBackend

from accounts.roles import permissions_of


class RoleBackend(ModelBackend):
    """Django's own backend plus the permissions that come with the user's role.

    Roles grant permissions in code (accounts.roles) so that every county gets the same, reviewed
    matrix; per-user grants made in the admin still work on top of it.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = set(permissions_of(user_obj.role))
        return super().get_all_permissions(user_obj) | user_obj._role_perm_cache
