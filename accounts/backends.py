from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connections, router
from django.db.models import Model, Q, QuerySet, Value
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

    That statement is written once a process (`_user_statement`), not built by the ORM on
    every request: building and compiling the queryset (a join and two EXISTS) was 1.1 ms of
    the 2.1 ms the read took, in every signed-in request.
    """

    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            role = set(permissions_of(user_obj.role))
            user_obj._role_perm_cache = admin_grants_of(user_obj) | role
        return user_obj._role_perm_cache


def _region_model() -> type[Model]:
    """The region a user belongs to (households sits above accounts: named through the key)."""
    return User._meta.get_field("region").related_model


@cache
def _user_statement(vendor: str) -> str:
    """The user, its region's columns and whether the admin granted it anything, by id: the
    columns as the models have them, so a new field is read without a change here. Kept by
    database vendor, whose quoting it uses."""
    quote = connections[router.db_for_read(User)].ops.quote_name
    region_model = _region_model()
    user_columns = ", ".join(f"u.{quote(str(f.column))}" for f in User._meta.concrete_fields)
    region_columns = ", ".join(
        f"r.{quote(str(f.column))}" for f in region_model._meta.concrete_fields
    )
    user_key = quote(str(User._meta.pk.column))
    (region_key,) = [f.column for f in User._meta.concrete_fields if f.name == "region"]
    granted = [User.user_permissions.through, User.groups.through]
    grants = " OR ".join(
        f"EXISTS (SELECT 1 FROM {quote(through._meta.db_table)} g "
        f"WHERE g.{_user_column(through)} = u.{user_key})"
        for through in granted
    )
    return (
        f"SELECT {user_columns}, {region_columns}, {grants} "
        f"FROM {quote(User._meta.db_table)} u "
        f"LEFT JOIN {quote(region_model._meta.db_table)} r "
        f"ON r.{quote(str(region_model._meta.pk.column))} = u.{quote(str(region_key))} "
        f"WHERE u.{user_key} = %s"
    )


def _user_column(through: type[Model]) -> str:
    """The column of a grants table that names the user."""
    (column,) = [
        str(field.column) for field in through._meta.concrete_fields if field.name == "user"
    ]
    return connections[router.db_for_read(User)].ops.quote_name(column)


def _from_row(model: type[Model], alias: str, values: tuple) -> Model:
    """A model instance from its concrete columns, converted as the ORM would."""
    connection = connections[alias]
    fields = model._meta.concrete_fields
    converted = []
    for model_field, value in zip(fields, values, strict=True):
        col = model_field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(col) + model_field.get_db_converters(
            connection
        ):
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(alias, [f.attname for f in fields], converted)


def signed_in_user(user_id) -> User | None:
    """The user by id, with its region and `has_admin_grants`, in one statement: for a session
    (RoleBackend.get_user) and for an API token (accounts.token_auth)."""
    alias = router.db_for_read(User)
    user_id = User._meta.pk.get_prep_value(user_id)  # a stray string fails here, not in SQL
    with connections[alias].cursor() as cursor:
        cursor.execute(_user_statement(connections[alias].vendor), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(User._meta.concrete_fields)
    user = _from_row(User, alias, row[:split])
    assert isinstance(user, User)
    region_model = _region_model()
    region_values = row[split:-1]
    region_pk = region_model._meta.concrete_fields.index(region_model._meta.pk)
    region = None
    if region_values[region_pk] is not None:
        region = _from_row(region_model, alias, region_values)
    User._meta.get_field("region").set_cached_value(user, region)
    user.has_admin_grants = row[-1]  # type: ignore[attr-defined]
    return user


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
