"""Visits and warning verifications as owners of attached files (evidence.registry).

Who may see a file is who may see its record (the selectors below); who may attach one is who
may record the visit, or verify the warning: its manager or the one it is assigned to.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from evidence.registry import OwnerKind, register
from monitoring.models import Alert, Visit
from monitoring.selectors import alerts_visible_to, visits_visible_to

VISIT = "visit"
VERIFICATION = "alert"


def visits_attachable(user) -> QuerySet[Visit]:
    if not user.has_perm("monitoring.add_visit"):
        return Visit.objects.none()
    return visits_visible_to(user)


def alerts_attachable(user) -> QuerySet[Alert]:
    alerts = alerts_visible_to(user)
    if user.has_perm("monitoring.change_alert"):
        return alerts
    return alerts.filter(assignee_id=user.pk)


def register_owners() -> None:
    register(
        OwnerKind(
            key=VISIT,
            label=_("Visit"),
            model=Visit,
            household_path="household",
            visible=visits_visible_to,
            attachable=visits_attachable,
        )
    )
    register(
        OwnerKind(
            key=VERIFICATION,
            label=_("Home verification of a warning"),
            model=Alert,
            household_path="household",
            visible=alerts_visible_to,
            attachable=alerts_attachable,
        )
    )
