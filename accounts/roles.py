"""What each role may do. Region scope is separate: these permissions apply inside it only."""

from accounts.models import Role

_VIEW_REGISTRY = {
    "households.view_region",
    "households.view_household",
    "households.view_member",
}
_EDIT_REGISTRY = {
    "households.add_household",
    "households.change_household",
    "households.add_member",
    "households.change_member",
}
UNMASK = "households.unmask_sensitive"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VILLAGE_WORKER: frozenset(_VIEW_REGISTRY | _EDIT_REGISTRY),
    Role.TOWNSHIP_CADRE: frozenset(_VIEW_REGISTRY | _EDIT_REGISTRY | {UNMASK}),
    Role.COUNTY_OFFICER: frozenset(
        _VIEW_REGISTRY | _EDIT_REGISTRY | {UNMASK, "households.view_sensitiveaccess"}
    ),
    # Partners work on the measures given to them, not on the registry.
    Role.PARTNER: frozenset(),
    Role.AUDITOR: frozenset(_VIEW_REGISTRY | {"households.view_sensitiveaccess"}),
    Role.API_CLIENT: frozenset(_VIEW_REGISTRY),
}


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
