"""The alert lifecycle: open → assigned → verifying → confirmed, or dismissed; and self-reports.
Also the warning queue's bulk actions (assign, dismiss), which apply to each warning what the
single action would, and skip, with the reason, those that changed or may not move."""

from collections.abc import Iterable
from dataclasses import dataclass, field

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
from monitoring import selectors
from monitoring.engine.alert_lifecycle import alert_fields, self_report_reason
from monitoring.engine.rules import Reason
from monitoring.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertEvent,
    AlertSource,
    AlertStatus,
    AlertVerification,
    VerificationResult,
    Visit,
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


def alert_verify(
    *,
    actor: User,
    alert: Alert,
    version: int,
    result: str,
    findings: str = "",
    visit_id: int | None = None,
) -> Alert:
    """Record a home verification (入户核查): its result (属实 / 部分属实 / 不属实), what was found
    (required unless the warning was found true), and optionally the visit of the household it was
    made on. The warning moves to 核实中 (verifying), waiting for a cadre's decision, whatever the
    result: confirming or dismissing a risk is the township's decision, not the verifier's.

    A result of 不属实 does not close the warning by itself. The warning's page then offers its
    managers the dismissal, with the findings as the reason, first (a county expects a warning found
    untrue to be dismissed with the verifier's words on record, by someone who may dismiss), and the
    queue's 待确认 filter lists it with the others waiting for that decision.
    """
    if result not in VerificationResult.values:
        raise ValidationError({"result": _("Choose the result of the verification.")})
    findings = (findings or "").strip().replace("\x00", "")
    if result != VerificationResult.TRUE and len(findings) < 2:
        raise ValidationError(
            {"findings": _("Say what was found: the warning was not found entirely true.")}
        )
    if len(findings) > 2000:
        raise ValidationError({"findings": _("Keep what was found under 2,000 characters.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, alert, version, "verify")
        visit = None
        if visit_id is not None:
            visit = (
                selectors.visits_visible_to(actor)
                .filter(pk=visit_id, household_id=locked.household_id)
                .first()
            )
            if visit is None:
                raise ValidationError({"visit": _("Choose a visit of this household.")})
        verification = AlertVerification.objects.create(
            alert=locked, result=result, findings=findings, visit=visit, verified_by=actor
        )
        return _move(
            actor,
            locked,
            "verify",
            findings[:500],
            result=result,
            verification=verification.pk,
            **({"visit": visit.pk} if visit is not None else {}),
        )


def alert_verification_visits(alert: Alert, *, user, limit: int = 5) -> list[Visit]:
    """The household's recent visits a verification may be linked to."""
    return list(
        selectors.visits_visible_to(user)
        .filter(household_id=alert.household_id)
        .order_by("-visited_on", "-id")[:limit]
    )


def alert_confirm(*, actor: User, alert: Alert, version: int, note: str = "") -> Alert:
    with transaction.atomic(), pghistory.context(user=actor.pk):
        return _move(actor, _locked(actor, alert, version, "confirm"), "confirm", note)


def alert_dismiss(*, actor: User, alert: Alert, version: int, reason: str) -> Alert:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the warning is dismissed.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        return _move(actor, _locked(actor, alert, version, "dismiss"), "dismiss", reason)


# At most this many warnings in one bulk action: a page of the queue.
BULK_MAX = 100


@dataclass
class BulkOutcome:
    """What a bulk action did: the warnings it moved, and those it skipped with the reason."""

    done: list[int] = field(default_factory=list)
    # (warning id, code, message): code "not_found", "stale", "wrong_state" or "not_covered".
    skipped: list[tuple[int, str, str]] = field(default_factory=list)


def _bulk_locked(
    actor: User, items: Iterable[tuple[int, int]], action: str
) -> tuple[list[tuple[Alert, int]], BulkOutcome]:
    """Lock the warnings of (id, version) pairs the actor may see, households first and in id
    order as the single actions do (so that two bulk actions, or a bulk and a single one, wait for
    each other rather than deadlock); and sort out those that cannot move."""
    if not actor.has_perm("monitoring.change_alert"):
        raise PermissionDenied(_("Your role may not do this."))
    versions: dict[int, int] = {}
    for alert_id, version in items:
        versions.setdefault(int(alert_id), int(version))
    if not versions:
        raise ValidationError({"alerts": _("Choose at least one warning.")})
    if len(versions) > BULK_MAX:
        raise ValidationError(
            {"alerts": _("Choose at most %(max)d warnings at a time.") % {"max": BULK_MAX}}
        )
    outcome = BulkOutcome()
    visible = dict(
        selectors.alerts_visible_to(actor).filter(pk__in=versions).values_list("pk", "household_id")
    )
    list(
        Household.objects.select_for_update()
        .filter(pk__in=set(visible.values()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked = {
        alert.pk: alert
        for alert in Alert.objects.select_for_update()
        .filter(pk__in=visible)
        .select_related("household")
        .order_by("pk")
    }
    allowed_from, _target = TRANSITIONS[action]
    movable = []
    for alert_id, version in versions.items():
        alert = locked.get(alert_id)
        if alert is None:
            outcome.skipped.append((alert_id, "not_found", _("No such warning in your region.")))
        elif alert.version != version:
            outcome.skipped.append(
                (alert_id, "stale", _("Someone else changed it since the list was shown."))
            )
        elif alert.status not in allowed_from:
            outcome.skipped.append(
                (
                    alert_id,
                    "wrong_state",
                    _("It is %(status)s: it cannot be %(action)s.")
                    % {"status": alert.get_status_display(), "action": ACTION_LABELS[action]},
                )
            )
        else:
            movable.append((alert, version))
    return movable, outcome


def alerts_bulk_assign(
    *, actor: User, items: Iterable[tuple[int, int]], assignee_id: int
) -> BulkOutcome:
    """Assign each warning of the (id, version) pairs to one colleague, in one transaction; skip
    (and say why) those that changed since the list was shown, may not be assigned now, or lie
    outside the colleague's region."""
    with transaction.atomic(), pghistory.context(user=actor.pk):
        movable, outcome = _bulk_locked(actor, items, "assign")
        assignee = User.objects.filter(
            pk=assignee_id, is_active=True, role__in=FIELD_STAFF_ROLES
        ).first()
        covered = (
            set(
                households_visible_to(assignee)
                .filter(pk__in=[alert.household_id for alert, _v in movable])
                .values_list("pk", flat=True)
            )
            if assignee is not None
            else set()
        )
        if assignee is None or (movable and not covered):
            raise ValidationError(
                {"assignee": _("Assign to a colleague whose region covers these households.")}
            )
        for alert, _version in movable:
            if alert.household_id not in covered:
                outcome.skipped.append(
                    (alert.pk, "not_covered", _("Outside the colleague's region."))
                )
                continue
            alert.assignee = assignee
            _move(actor, alert, "assign", assignee=assignee.pk, bulk=True)
            outcome.done.append(alert.pk)
            notify(
                [assignee],
                key="alert_assigned",
                arguments={"number": alert.household.number, "head": alert.household.head_name},
                link=reverse("alert-detail", args=[alert.pk]),
            )
    return outcome


def alerts_bulk_dismiss(
    *, actor: User, items: Iterable[tuple[int, int]], reason: str
) -> BulkOutcome:
    """Dismiss each warning of the (id, version) pairs with one reason, in one transaction;
    skip (and say why) those that changed since the list was shown or may not be dismissed."""
    reason = (reason or "").strip().replace("\x00", "")
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why the warning is dismissed.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        movable, outcome = _bulk_locked(actor, items, "dismiss")
        for alert, _version in movable:
            _move(actor, alert, "dismiss", reason[:500], bulk=True)
            outcome.done.append(alert.pk)
    return outcome


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
        return _self_report_apply(household, report, actor)


def self_report_received(*, household_id: int, report: str, reference: str) -> Alert | None:
    """A report the household sent itself through its village's public page (self_reports/),
    matched to it by the ID number: it opens, or joins, the warning as a cadre's record would.
    Nobody acted, so the event has no actor and carries the report's reference instead (an
    auditor finds the public report it came from). None while an open case carries the
    household: the report then waits for its cadres on their list of reports."""
    report = (report or "").strip()
    with transaction.atomic(), pghistory.context(source="self_report", reference=reference):
        household = Household.objects.select_for_update().filter(pk=household_id).first()
        if household is None or household.has_open_case:
            return None
        return _self_report_apply(household, report, None, data={"reference": reference})


def _self_report_apply(
    household: Household, report: str, actor: User | None, *, data: dict | None = None
) -> Alert:
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
    AlertEvent.objects.create(
        alert=alert, actor=actor, action=action, note=report[:500], data=data or {}
    )
    request_evaluation(household.pk)
    return alert
