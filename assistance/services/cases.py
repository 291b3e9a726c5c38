"""A case's path: proposal, the identification steps, enrolment, and risk elimination.

Every action locks the case row, checks the version the actor saw, checks that the step is the
one the case waits for and that the actor's role takes it, and only then writes. Two people
acting on the same step at once: the second finds the version moved and gets a conflict.
"""

import datetime

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import FIELD_STAFF_ROLES, User
from assistance import eligibility, steps
from assistance.deadlines import Deadlines
from assistance.models import (
    CATEGORY_POVERTY_STATUSES,
    OPEN_CASE_STATUSES,
    Case,
    CaseCategory,
    CaseOrigin,
    CaseStatus,
    CaseStep,
    CivilAffairsKind,
    Decision,
    Delegation,
    InfoCheckResult,
    Phase,
    RiskType,
    SocialAssistance,
    StepKind,
)
from assistance.selectors import case_next_step, cases_visible_to, delegation_for
from assistance.services.civil_affairs import referral_open
from core.errors import EditConflict
from households.evaluation_requests import request_evaluation
from households.models import Household, Member, PovertyStatus
from households.selectors import households_visible_to
from monitoring.models import ACTIVE_STATUSES, Alert, AlertEvent, AlertStatus
from monitoring.services.notifications import notify
from monitoring.services.visits import household_visit_facts_refresh


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _in_list_order(risk_types: list[str]) -> list[str]:
    """Each risk type once, in the order of the list."""
    order = RiskType.values
    return sorted(set(risk_types), key=order.index)


def _check_description(
    *, category: str, risk_types: list[str], situation: str, social_assistance: str | None
) -> dict:
    errors = {}
    if category not in CaseCategory.values:
        errors["category"] = _("Choose the category of the household.")
    if not risk_types or any(value not in RiskType.values for value in risk_types):
        errors["risk_types"] = _("Choose at least one risk type from the list.")
    if len((situation or "").strip()) < 4:
        errors["situation"] = _("Describe the household's situation.")
    if social_assistance is not None and social_assistance not in SocialAssistance.values:
        errors["social_assistance"] = _("Choose dibao, tekun or none.")
    return errors


def _check_category_fits(category: str, household: Household) -> None:
    """The category is one the policy gives to a household of this poverty status."""
    if household.poverty_status in CATEGORY_POVERTY_STATUSES[category]:
        return
    labels = dict(CaseCategory.choices)
    words = {
        "category": labels[category],
        "either": labels[CaseCategory.SUDDEN_HARDSHIP],
    }
    if household.poverty_status == PovertyStatus.ORDINARY:
        message = _(
            "By the monitoring policy “%(category)s” is for lifted-out households only, and this "
            "household is an ordinary rural household: choose “%(fits)s” or “%(either)s”."
        ) % {**words, "fits": labels[CaseCategory.MARGINAL]}
    else:
        message = _(
            "By the monitoring policy “%(category)s” is for ordinary rural households only, and "
            "this household was lifted out of poverty: choose “%(fits)s” or “%(either)s”."
        ) % {**words, "fits": labels[CaseCategory.UNSTABLE]}
    raise ValidationError({"category": ValidationError(message, code="category_mismatch")})


def _social_assistance_of(household: Household) -> str:
    members = Member.objects.filter(household=household, status=Member.Status.ACTIVE)
    if members.filter(tekun=True).exists():
        return SocialAssistance.TEKUN
    if members.filter(dibao=True).exists():
        return SocialAssistance.DIBAO
    return SocialAssistance.NONE


def _responsible(actor: User, household: Household, responsible_id: int | None):
    if responsible_id is None:
        return None
    user = User.objects.filter(
        pk=responsible_id, is_active=True, role__in=FIELD_STAFF_ROLES
    ).first()
    if user is None or not households_visible_to(user).filter(pk=household.pk).exists():
        raise ValidationError(
            {"responsible": _("Choose a cadre whose region covers this household.")}
        )
    return user


def _create_steps(
    case: Case, phase: str, proposed_on: datetime.date, actor: User, comment: str, **extra
):
    """The phase's steps, each due by the limit of the household's deadline profile."""
    deadlines = Deadlines()
    profile = deadlines.profile_for(case.household.village_id)
    rows = []
    for position, rule in enumerate(steps.PHASE_STEPS[phase]):
        limit = profile.limit(phase, rule.kind)
        step = CaseStep(
            case=case,
            phase=phase,
            round=case.elimination_round if phase == Phase.ELIMINATION else 0,
            position=position,
            kind=rule.kind,
            due_on=limit.due_on(proposed_on, deadlines.calendar),
            due_days=limit.days,
            due_unit=limit.unit,
            due_profile=profile.name,
        )
        if rule.kind == StepKind.PROPOSAL:
            step.decision = Decision.APPROVED
            step.actor = actor
            step.decided_at = timezone.now()
            step.comment = comment
            for name, value in extra.items():
                setattr(step, name, value)
        rows.append(step)
    CaseStep.objects.bulk_create(rows)


def _keep_household_case_fact(case: Case) -> None:
    """Whether a case carries the household, kept on the household for monitoring (which sits
    below assistance and must not read cases): set in the transaction that opens or closes it."""
    Household.objects.filter(pk=case.household_id).update(has_open_case=case.is_open)


def _take_over_alert(alert: Alert, actor: User, case_note: str) -> None:
    alert.status = AlertStatus.CASE
    alert.closed_at = timezone.now()
    alert.close_note = case_note[:500]
    alert.version += 1
    alert.save()
    AlertEvent.objects.create(alert=alert, actor=actor, action="case_opened", note=case_note[:500])


def case_propose(
    *,
    actor: User,
    household_id: int,
    origin: str,
    category: str,
    risk_types: list[str],
    situation: str,
    alert_id: int | None = None,
    social_assistance: str | None = None,
    responsible_id: int | None = None,
    civil_affairs: str | None = None,
) -> Case:
    """Open a case: from a confirmed warning, a household's self-report or a cadre's proposal;
    with `civil_affairs` (dibao, tekun, temporary_relief), referred to civil affairs at once."""
    _require(actor, "assistance.propose_case")
    errors = _check_description(
        category=category,
        risk_types=risk_types,
        situation=situation,
        social_assistance=social_assistance,
    )
    if civil_affairs and civil_affairs not in CivilAffairsKind.values:
        errors["civil_affairs"] = _("Choose dibao, tekun or temporary relief.")
    elif civil_affairs and not actor.has_perm("assistance.change_case"):
        # Townships and counties deal with civil affairs (services/civil_affairs.py).
        errors["civil_affairs"] = _("A township or county cadre refers a case to civil affairs.")
    if origin not in CaseOrigin.values:
        errors["origin"] = _("Say where the proposal comes from.")
    if origin == CaseOrigin.ALERT and not alert_id:
        errors["alert"] = _("Name the confirmed warning the case comes from.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    with transaction.atomic(), pghistory.context(user=actor.pk):
        # Locking the household makes two proposals for it take turns.
        household = households_visible_to(actor).select_for_update().filter(pk=household_id).first()
        if household is None:
            raise ValidationError({"household": _("No such household in your region.")})
        if Case.objects.filter(household=household, status__in=OPEN_CASE_STATUSES).exists():
            raise ValidationError(_("This household already has an open case."), code="case_exists")
        _check_category_fits(category, household)
        active_alert = (
            Alert.objects.select_for_update()
            .filter(household=household, status__in=ACTIVE_STATUSES)
            .first()
        )
        if origin == CaseOrigin.ALERT and (
            active_alert is None
            or alert_id is None
            or active_alert.pk != int(alert_id)
            or active_alert.status != AlertStatus.CONFIRMED
        ):
            raise ValidationError(
                {"alert": _("Only a confirmed warning of this household can become a case.")}
            )
        case = Case(
            household=household,
            origin=origin,
            alert=active_alert,
            category=category,
            risk_types=_in_list_order(risk_types),
            situation=situation.strip(),
            social_assistance=social_assistance or _social_assistance_of(household),
            proposed_by=actor,
            proposed_on=today,
            responsible=_responsible(actor, household, responsible_id),
        )
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:
            raise ValidationError(
                _("This household already has an open case."), code="case_exists"
            ) from None
        _keep_household_case_fact(case)
        _create_steps(case, Phase.IDENTIFICATION, today, actor, case.situation)
        if civil_affairs:
            referral_open(case=case, kind=civil_affairs, actor=actor, on=today)
        if active_alert is not None:
            # The case carries the warning from here on.
            _take_over_alert(active_alert, actor, case.situation)
    return case


def case_update(
    *,
    actor: User,
    case: Case,
    version: int,
    category: str,
    risk_types: list[str],
    situation: str,
    social_assistance: str,
    responsible_id: int | None = None,
) -> Case:
    """Correct what a case says about the household while it is open."""
    _require(actor, "assistance.change_case")
    errors = _check_description(
        category=category,
        risk_types=risk_types,
        situation=situation,
        social_assistance=social_assistance,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, case, version)
        if not locked.is_open:
            raise ValidationError(_("A closed case cannot be changed."), code="closed")
        _check_category_fits(category, locked.household)
        recategorised = category != locked.category and locked.status != CaseStatus.IDENTIFYING
        locked.category = category
        locked.risk_types = _in_list_order(risk_types)
        locked.situation = situation.strip()
        locked.social_assistance = social_assistance
        locked.responsible = _responsible(actor, locked.household, responsible_id)
        locked.version += 1
        locked.save()
        if recategorised:
            # The monitored household's layer names its category.
            Household.objects.filter(pk=locked.household_id).update(monitored_category=category)
            request_evaluation(locked.household_id)
    return locked


def _locked(actor: User, case: Case, version: int) -> Case:
    locked = cases_visible_to(actor).select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None:
        raise PermissionDenied(_("This case is outside your region."))
    if locked.version != version:
        raise EditConflict(
            _("Someone else acted on this case while you were looking at it. Reload it and check.")
        )
    return locked


def _waiting_step(actor: User, case: Case, kind: str) -> CaseStep:
    step = case_next_step(case)
    if step is None:
        raise ValidationError(
            _("The case is %(status)s; no step is waiting.")
            % {"status": case.get_status_display()},
            code="no_step",
        )
    if step.kind != kind:
        raise ValidationError(
            _("The case waits for: %(step)s. Steps are taken in order.")
            % {"step": step.get_kind_display()},
            code="out_of_order",
        )
    delegation = _authority(actor, case, steps.rule_for(step.phase, step.kind).permission)
    step.delegation_id = delegation.pk if delegation is not None else None
    return step


def _authority(actor: User, case: Case, permission: str) -> Delegation | None:
    """None when the actor's role takes the step; else the delegation in force under which the
    actor takes it (locked, so that a revocation waits for the step or finds it taken)."""
    if actor.has_perm(permission):
        return None
    found = delegation_for(
        actor,
        permission=permission,
        village_code=case.household.village_id,
        as_of=timezone.localdate(),
    )
    locked = (
        Delegation.objects.select_for_update().filter(pk=found.pk, revoked_at__isnull=True).first()
        if found is not None
        else None
    )
    if locked is None:
        raise PermissionDenied(_("Your role may not do this."))
    return locked


def _enrol(case: Case, today: datetime.date) -> None:
    case.status = CaseStatus.ENROLLED
    case.enrolled_on = today
    Household.objects.filter(pk=case.household_id).update(
        is_monitored=True, monitored_category=case.category, risk_eliminated_on=None
    )
    household_visit_facts_refresh(Household.objects.get(pk=case.household_id))


def _eliminate(case: Case, today: datetime.date) -> None:
    case.status = CaseStatus.ELIMINATED
    case.eliminated_on = case.closed_on = today
    Household.objects.filter(pk=case.household_id).update(
        is_monitored=False, monitored_category="", risk_eliminated_on=today
    )
    household_visit_facts_refresh(Household.objects.get(pk=case.household_id))


def _notify_next(case: Case, actor: User) -> None:
    """Tell the responsible cadre what moved, so nobody has to poll the case."""
    if case.responsible_id and case.responsible_id != actor.pk:
        with translation.override("en"):  # the label's msgid, translated when read
            status_label = str(case.get_status_display())
        notify(
            [case.responsible_id],
            key="case_moved",
            arguments={"number": case.household.number, "status": status_label},
            link=reverse("case-detail", args=[case.pk]),
        )


def case_step_record(
    *,
    actor: User,
    case: Case,
    version: int,
    kind: str,
    decision: str,
    comment: str = "",
    info_check_result: str = "",
    objections: str = "",
) -> Case:
    """Record the decision of the step the case waits for."""
    comment = (comment or "").strip()
    errors = {}
    if decision not in Decision.values:
        errors["decision"] = _("Say whether the step passed or was rejected.")
    elif decision == Decision.REJECTED and len(comment) < 2:
        errors["comment"] = _("Say why it was rejected.")
    if kind == StepKind.INFO_CHECK:
        if info_check_result not in InfoCheckResult.values:
            errors["info_check_result"] = _("Record the result of the information check.")
        elif info_check_result == InfoCheckResult.INCONSISTENT and decision == Decision.APPROVED:
            errors["decision"] = _("A household whose information does not qualify cannot pass.")
    if kind == StepKind.PROPOSAL:
        errors["kind"] = _("The proposal is recorded when the case is opened.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, case, version)
        step = _waiting_step(actor, locked, kind)
        # The same rule disables the step on the case page and in the API's `next_step`.
        hold = steps.step_hold(
            kind=kind,
            notice_starts_on=step.notice_starts_on,
            notice_ends_on=step.notice_ends_on,
            as_of=today,
        )
        if hold is not None:
            raise ValidationError(hold.message, code=hold.code)
        eligibility_items = []
        if (
            kind == StepKind.COUNTY_APPROVAL
            and step.phase == Phase.ELIMINATION
            and decision == Decision.APPROVED
        ):
            # Months pass between proposal and approval: judge again on the day of approval.
            eligibility_items = eligibility.case_eligibility(locked, today)
            _refuse_if_ineligible(eligibility_items)
        step.decision = decision
        step.actor = actor
        step.decided_at = timezone.now()
        step.comment = comment
        step.info_check_result = info_check_result if kind == StepKind.INFO_CHECK else ""
        step.objections = (objections or "").strip() if kind == StepKind.NOTICE else ""
        step.eligibility = [item.as_json() for item in eligibility_items]
        step.save()

        was_open = locked.is_open
        if decision == Decision.REJECTED:
            if step.phase == Phase.IDENTIFICATION:
                locked.status = CaseStatus.REJECTED
                locked.closed_on = today
                locked.close_reason = comment[:500]
            else:
                # A refused elimination leaves the household enrolled and monitored.
                locked.status = CaseStatus.ENROLLED
        elif kind == StepKind.COUNTY_APPROVAL:
            if step.phase == Phase.IDENTIFICATION:
                _enrol(locked, today)
            else:
                _eliminate(locked, today)
        if locked.is_open != was_open:
            _keep_household_case_fact(locked)
        locked.version += 1
        locked.save()
        _notify_next(locked, actor)
        if locked.status in (CaseStatus.ENROLLED, CaseStatus.REJECTED, CaseStatus.ELIMINATED):
            # Its cadence changed, or it left the case's care and the rules may warn again.
            request_evaluation(locked.household_id)
    return locked


def case_notice_post(
    *, actor: User, case: Case, version: int, starts_on: datetime.date, ends_on: datetime.date
) -> Case:
    """Post the village public notice: from when, and until when objections are taken."""
    if starts_on is None or ends_on is None:
        raise ValidationError({"starts_on": _("Give the first and last day of the notice.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The notice cannot end before it starts.")})
    # A notice recorded today runs from today: objections cannot have been taken in the past.
    if starts_on < timezone.localdate():
        raise ValidationError({"starts_on": _("A notice starts on the day it is posted or later.")})
    if steps.notice_days(starts_on, ends_on) < steps.NOTICE_MIN_DAYS:
        raise ValidationError(
            {
                "ends_on": _("A public notice runs at least %(days)d days, both ends counted.")
                % {"days": steps.NOTICE_MIN_DAYS}
            }
        )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _locked(actor, case, version)
        step = _waiting_step(actor, locked, StepKind.NOTICE)
        deliberated = (
            locked.steps.filter(phase=step.phase, round=step.round, kind=StepKind.DELIBERATION)
            .values_list("decided_at", flat=True)
            .first()
        )
        if deliberated and starts_on < timezone.localtime(deliberated).date():
            raise ValidationError(
                {"starts_on": _("The notice cannot start before the village deliberation.")}
            )
        # The household's profile may ask for a longer notice than the national 5 days.
        notice_min_days = Deadlines().profile_for(locked.household.village_id).notice_min_days
        if steps.notice_days(starts_on, ends_on) < notice_min_days:
            raise ValidationError(
                {
                    "ends_on": _("A public notice runs at least %(days)d days, both ends counted.")
                    % {"days": notice_min_days}
                }
            )
        step.notice_starts_on = starts_on
        step.notice_ends_on = ends_on
        step.notice_posted_by = actor
        step.save()
        locked.version += 1
        locked.save()
    return locked


def _refuse_if_ineligible(items: list[eligibility.Item]) -> None:
    failing = [item for item in items if not item.passed]
    if failing:
        raise ValidationError(
            [ValidationError(f"{item.label}: {item.detail}", code=item.code) for item in failing]
        )


def case_elimination_propose(*, actor: User, case: Case, version: int, comment: str = "") -> Case:
    """Start risk elimination for an enrolled household that meets every condition."""
    today = timezone.localdate()
    with transaction.atomic(), pghistory.context(user=actor.pk):
        _require(actor, "assistance.propose_case")
        locked = _locked(actor, case, version)
        if locked.status != CaseStatus.ENROLLED:
            raise ValidationError(
                _("Only an enrolled household's risk can be eliminated; this case is %(status)s.")
                % {"status": locked.get_status_display()},
                code="wrong_state",
            )
        items = eligibility.case_eligibility(locked, today)
        _refuse_if_ineligible(items)
        locked.status = CaseStatus.ELIMINATING
        locked.elimination_round += 1
        locked.version += 1
        locked.save()
        _create_steps(
            locked,
            Phase.ELIMINATION,
            today,
            actor,
            (comment or "").strip(),
            eligibility=[item.as_json() for item in items],
        )
    return locked
