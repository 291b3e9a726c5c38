"""The alert lifecycle: open → assigned → verifying → confirmed, or dismissed; and self-reports."""

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import FIELD_STAFF_ROLES, User
from core.errors import EditConflict
from households.evaluation_requests import request_evaluation
from households.models import Household
from households.selectors import households_visible_to
from monitoring.engine.alert_lifecycle import alert_fields, self_report_reason
from monitoring.engine.rules import Reason
from monitoring.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertEvent,
    AlertSource,
    AlertStatus,
)
from monitoring.services.notifications import notify

# Which statuses each action may start from, and where it leads.
TRANSITIONS = {
    "assign": (
        (AlertStatus.OPEN, AlertStatus.ASSIGNED, AlertStatus.VERIFYING),
        AlertStatus.ASSIGNED,
    ),
    "verify": ((AlertStatus.ASSIGNED,), AlertStatus.VERIFYING),
    "confirm": ((AlertStatus.VERIFYING,), AlertStatus.CONFIRMED),
    "dismiss": (
        (AlertStatus.OPEN, AlertStatus.ASSIGNED, AlertStatus.VERIFYING),
        AlertStatus.DISMISSED,
    ),
}


def _locked(actor: User, alert: Alert, version: int, action: str) -> Alert:
    # Cadres manage alerts; the person an alert is assigned to may record its verification.
    may = actor.has_perm("monitoring.change_alert") or (
        action == "verify" and alert.assignee_id == actor.pk
    )
    if not may:
        raise PermissionDenied(_("Your role may not do this."))
    # The household first, in the order the rules take them (evaluation.py: the household, then
    # its warning). Taking the warning first deadlocked with a running evaluation: the cadre got
    # an error page. Now the action waits for the judgement and then sees its version.
    Household.objects.select_for_update().filter(pk=alert.household_id).exists()
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.version != version:
        raise EditConflict()
    allowed_from, _target = TRANSITIONS[action]
    if locked.status not in allowed_from:
        raise ValidationError(
            _("This warning is %(status)s; it cannot be %(action)s now.")
            % {"status": locked.get_status_display(), "action": ACTION_LABELS[action]},
            code="wrong_state",
        )
    return locked


ACTION_LABELS = {
    "assign": gettext_lazy("assigned"),
    "verify": gettext_lazy("verified"),
    "confirm": gettext_lazy("confirmed"),
    "dismiss": gettext_lazy("dismissed"),
}


def _move(actor: User, alert: Alert, action: str, note: str = "", **data) -> Alert:
    alert.status = TRANSITIONS[action][1]
    alert.version += 1
    if alert.status in (AlertStatus.DISMISSED,):
        alert.closed_at = timezone.now()
        alert.close_note = note
    alert.save()
    AlertEvent.objects.create(alert=alert, actor=actor, action=action, note=note, data=data)
    return alert


def alert_assign(*, actor: User, alert: Alert, version: int, assignee_id: int) -> Alert:
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, alert, version, "assign")
        assignee = User.objects.filter(
            pk=assignee_id, is_active=True, role__in=FIELD_STAFF_ROLES
        ).first()
        if (
            assignee is None
            or not households_visible_to(assignee).filter(pk=locked.household_id).exists()
        ):
            raise ValidationError(
                {"assignee": _("Assign to a colleague whose region covers this household.")}
            )
        locked.assignee = assignee
        _move(actor, locked, "assign", assignee=assignee.pk)
        notify(
            [assignee],
            key="alert_assigned",
            arguments={"number": locked.household.number, "head": locked.household.head_name},
            link=reverse("alert-detail", args=[locked.pk]),
        )
    return locked


def alert_verify(*, actor: User, alert: Alert, version: int, note: str = "") -> Alert:
    with transaction.atomic(), pghistory.context(user=actor.pk):
        return _move(actor, _locked(actor, alert, version, "verify"), "verify", note)


def alert_confirm(*, actor: User, alert: Alert, version: int, note: str = "") -> Alert:
    with transaction.atomic(), pghistory.context(user=actor.pk):
        return _move(actor, _locked(actor, alert, version, "confirm"), "confirm", note)


def alert_dismiss(*, actor: User, alert: Alert, version: int, reason: str) -> Alert:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the warning is dismissed.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        return _move(actor, _locked(actor, alert, version, "dismiss"), "dismiss", reason)


def self_report_record(*, actor: User, household_id: int, report: str) -> Alert:
    """A household's own report of hardship (农户自主申报): it opens, or joins, the warning."""
    if not actor.has_perm("monitoring.add_visit"):
        raise PermissionDenied(_("Your role may not do this."))
    report = (report or "").strip()
    if len(report) < 4:
        raise ValidationError({"report": _("Describe the hardship the household reports.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        household = households_visible_to(actor).select_for_update().filter(pk=household_id).first()
        if household is None:
            raise ValidationError({"household": _("No such household in your region.")})
        # While a case is open it carries the household: a second warning beside it could
        # never become a case. (The case services keep the fact on the household.)
        if household.has_open_case:
            raise ValidationError(
                _(
                    "This household is followed by an open case: tell its responsible cadre, "
                    "and record what changed in a visit."
                ),
                code="case_open",
            )
        alert = Alert.objects.filter(household=household, status__in=ACTIVE_STATUSES).first()
        if alert is None:
            alert = Alert(
                household=household,
                source=AlertSource.SELF_REPORT,
                opened_at=timezone.now(),
                self_report=report,
            )
            reasons = [self_report_reason(report)]
            for name, value in alert_fields(reasons).items():
                setattr(alert, name, value)
            alert.save()
            action = "opened"
        else:
            alert.self_report = f"{alert.self_report}\n{report}".strip()
            reasons = [Reason.from_json(r) for r in alert.reasons if r["code"] != "self_report"] + [
                self_report_reason(alert.self_report)
            ]
            for name, value in alert_fields(reasons).items():
                setattr(alert, name, value)
            alert.version += 1
            alert.save()
            action = "self_report"
        AlertEvent.objects.create(alert=alert, actor=actor, action=action, note=report)
        request_evaluation(household.pk)
    return alert
