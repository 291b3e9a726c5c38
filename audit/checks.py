"""The retention setting may not go below the legal floor: the deployment learns at start-up,
not when the purge is refused by the database at night."""

from django.conf import settings
from django.core import checks

from audit.triggers import LEGAL_FLOOR_DAYS


@checks.register(checks.Tags.security)
def check_audit_retention(app_configs, **kwargs) -> list[checks.CheckMessage]:
    days = getattr(settings, "AUDIT_RETENTION_DAYS", None)
    if not isinstance(days, int) or days < LEGAL_FLOOR_DAYS:
        return [
            checks.Error(
                f"DIXIAN_AUDIT_RETENTION_DAYS is {days!r}: audit records must be kept at least "
                f"{LEGAL_FLOOR_DAYS} days (MLPS 2.0: six months).",
                hint=f"Set DIXIAN_AUDIT_RETENTION_DAYS to {LEGAL_FLOOR_DAYS} or more.",
                id="audit.E001",
            )
        ]
    return []
