"""Deadline profiles and the working-day calendar as a county edits them, and the daily sweep
that reminds and escalates.

A profile's change moves the due dates of the running steps it governs, in the same transaction,
and pghistory records each moved step with the actor and the profile (the case's history shows
it). The sweep sends each reminder and escalation once: it claims the (step, stage, due date)
with `INSERT … ON CONFLICT DO NOTHING RETURNING` and writes the notifications only when its own
insert took, in the same transaction, so two sweeps at once (or a sweep run twice) send once.
"""

import datetime
from dataclasses import dataclass, field

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from assistance import selectors, steps
from assistance.deadlines import Deadlines
from assistance.models import (
    CalendarDay,
    Case,
    CaseStep,
    DeadlineProfile,
    NoticeStage,
    StepKind,
    StepNotice,
)
from core.errors import EditConflict
from core.regions import is_region_code, level_of
from households.selectors import user_covers
from monitoring.services.notifications import notify

# A profile is set for a province, a city or a county (a township follows its county).
PROFILE_LEVELS = ("province", "city", "county")
MAX_ESCALATE_AFTER = 30


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))


def _check_profile(
    *, region_code: str, name: str, limits: object, notice_min_days: object, escalate: object
) -> dict:
    errors: dict[str, list[str] | str] = {}
    if not (name or "").strip():
        errors["name"] = _("Name the profile.")
    if region_code and (
        not is_region_code(region_code) or level_of(region_code) not in PROFILE_LEVELS
    ):
        errors["region_code"] = _(
            "A profile is set for a province, a city or a county: give its 12-digit code."
        )
    if not isinstance(notice_min_days, int) or isinstance(notice_min_days, bool):
        errors["notice_min_days"] = _("Give the shortest public notice in whole days.")
    elif notice_min_days < steps.NOTICE_MIN_DAYS:
        errors["notice_min_days"] = _(
            "The village public notice runs at least %(days)d days by national policy; a profile "
            "may lengthen it, never shorten it."
        ) % {"days": steps.NOTICE_MIN_DAYS}
    if (
        not isinstance(escalate, int)
        or isinstance(escalate, bool)
        or not 1 <= escalate <= MAX_ESCALATE_AFTER
    ):
        errors["escalate_after_working_days"] = _(
            "Tell the county after 1 to %(max)d working days overdue."
        ) % {"max": MAX_ESCALATE_AFTER}
    limit_errors = steps.limits_errors(limits)
    if limit_errors:
        errors["limits"] = limit_errors
    return errors


def deadline_profile_save(
    *,
    actor: User,
    region_code: str,
    name: str,
    limits: dict,
    notice_min_days: int,
    escalate_after_working_days: int,
    self_report_acceptance_days: int | None = None,
    version: int | None = None,
) -> tuple[DeadlineProfile, int]:
    """Create or change the profile of a region (a county officer: their county; the national
    and provincial ones: an account over all regions), and move the due dates of the running
    steps it now governs. Returns the profile and how many steps moved."""
    # Both rights go together (accounts/roles.py): asked first, so that a role that may not set
    # profiles is told so rather than what is wrong with its input.
    _require(actor, "assistance.change_deadlineprofile")
    region_code = (region_code or "").strip()
    errors = _check_profile(
        region_code=region_code,
        name=name,
        limits=limits,
        notice_min_days=notice_min_days,
        escalate=escalate_after_working_days,
    )
    if self_report_acceptance_days is not None and not 1 <= self_report_acceptance_days <= 30:
        errors["self_report_acceptance_days"] = _(
            "A household's own report is accepted within 1 to 30 working days."
        )
    if errors:
        raise ValidationError(errors)
    if not user_covers(actor, region_code):
        raise PermissionDenied(_("This region is outside yours."))
    with transaction.atomic():
        profile = (
            DeadlineProfile.objects.select_for_update().filter(region_code=region_code).first()
        )
        if profile is None:
            _require(actor, "assistance.add_deadlineprofile")
            profile = DeadlineProfile(region_code=region_code)
        else:
            _require(actor, "assistance.change_deadlineprofile")
            if version is not None and profile.version != version:
                raise EditConflict(
                    _("Someone else changed this profile while you were looking at it. Reload it.")
                )
            profile.version += 1
        profile.name = name.strip()
        profile.limits = limits
        profile.notice_min_days = notice_min_days
        profile.escalate_after_working_days = escalate_after_working_days
        if self_report_acceptance_days is not None:
            profile.self_report_acceptance_days = self_report_acceptance_days
        with pghistory.context(user=actor.pk, deadline_profile=profile.name):
            profile.save()
            moved = _recompute_due_dates(region_code)
    return profile, moved


def _recompute_due_dates(region_code: str) -> int:
    """Count again the due dates of the undecided steps of running phases under the region, by
    the profile each household now follows. The cases are locked first (as every step action
    locks its case), so a step being decided at the same moment is either decided before this
    (and left alone) or after (with its new due date)."""
    running = selectors.steps_running_under(region_code)
    case_ids = sorted(set(running.values_list("case_id", flat=True)))
    list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk").values("pk"))
    deadlines = Deadlines()
    opened = {
        (row.case_id, row.phase, row.round): row.due_on
        for row in CaseStep.objects.filter(case_id__in=case_ids, kind=StepKind.PROPOSAL)
    }
    moved = 0
    for step in running.select_related("case__household").select_for_update(of=("self",)):
        profile = deadlines.profile_for(step.case.household.village_id)
        limit = profile.limit(step.phase, step.kind)
        proposed_on = opened[(step.case_id, step.phase, step.round)]
        due_on = limit.due_on(proposed_on, deadlines.calendar)
        new = (due_on, limit.days, limit.unit, profile.name)
        if (step.due_on, step.due_days, step.due_unit, step.due_profile) == new:
            continue
        step.due_on, step.due_days, step.due_unit, step.due_profile = new
        step.save(update_fields=["due_on", "due_days", "due_unit", "due_profile"])
        moved += 1
    return moved


def calendar_day_save(
    *, actor: User, day: datetime.date, is_working: bool, note: str = ""
) -> CalendarDay:
    """Enter (or correct) one day of a year's holiday notice: a holiday, or a weekend day worked
    in exchange. The calendar is national; entering a day does not move existing due dates (a
    profile's save does), since a notice is entered before the year it governs."""
    _require(actor, "assistance.add_calendarday")
    if not isinstance(day, datetime.date):
        raise ValidationError({"day": _("Give the day.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        row, _created = CalendarDay.objects.update_or_create(
            day=day, defaults={"is_working": bool(is_working), "note": (note or "").strip()[:100]}
        )
    return row


# --- The daily sweep


@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    escalated: int = 0
    notifications: int = 0
    stages: list[tuple[int, str]] = field(default_factory=list)


# How far ahead a due date may lie for its reminder to be due: the working day before a due date
# lies at most this far back (a long holiday with its weekends).
REMINDER_HORIZON = datetime.timedelta(days=20)


def escalation_day(deadlines: Deadlines, due_on: datetime.date, after: int) -> datetime.date:
    """The county is told on the `after`-th working day after the first working day overdue
    (due Tuesday 13 October 2026, told after 3: the township on Wednesday the 14th, the county
    on Monday the 19th)."""
    return deadlines.calendar.add_working_days(due_on, after + 1)


def _stages_due(deadlines: Deadlines, step: CaseStep, as_of: datetime.date) -> list[str]:
    """The notices a step has earned by `as_of` (a notice missed on its day, when no sweep ran,
    is sent on the next run)."""
    due_on = step.due_on
    if due_on >= as_of:
        remind_on = deadlines.calendar.previous_working_day(due_on)
        return [NoticeStage.REMINDER.value] if as_of >= remind_on else []
    stages = [NoticeStage.OVERDUE.value]
    profile = deadlines.profile_for(step.case.household.village_id)
    if as_of >= escalation_day(deadlines, due_on, profile.escalate_after_working_days):
        stages.append(NoticeStage.ESCALATED.value)
    return stages


def _claim(step: CaseStep, stage: str, as_of: datetime.date) -> int | None:
    """Record that this notice goes out; None when it already went (or is going) out."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {StepNotice._meta.db_table} "
            "(step_id, stage, due_on, sent_on, recipients, created_at) "
            "VALUES (%s, %s, %s, %s, 0, now()) ON CONFLICT DO NOTHING RETURNING id",
            [step.pk, stage, step.due_on, as_of],
        )
        row = cursor.fetchone()
    return row[0] if row else None


STAGE_MESSAGES: dict[str, str] = {
    NoticeStage.REMINDER: "step_reminder",
    NoticeStage.OVERDUE: "step_overdue",
    NoticeStage.ESCALATED: "step_escalated",
}


def _arguments(step: CaseStep, deadlines: Deadlines) -> dict:
    """What a notice says of its step (assistance/messages.py), rendered in the reader's
    language when read: the step's label as its msgid, the due day as an ISO date."""
    household = step.case.household
    with translation.override("en"):
        label = str(step.get_kind_display())
    return {
        "step": label,
        "due": step.due_on.isoformat(),
        "number": household.number,
        "head": household.head_name or household.number,
        "village": household.village.short_name,
        "days": deadlines.profile_for(household.village_id).escalate_after_working_days,
    }


def _recipients(stage: str, step: CaseStep):
    if stage == NoticeStage.REMINDER:
        return selectors.step_actors(step)
    if stage == NoticeStage.OVERDUE:
        return selectors.step_township_cadres(step)
    return selectors.step_county_officers(step)


def deadline_reminders_send(*, as_of: datetime.date | None = None) -> SweepResult:
    """Remind the people who take a step on the working day before it is due; tell the
    township's cadres when it falls overdue, and the county's officers when it is still
    overdue the profile's number of working days later. Each once, and recorded."""
    as_of = as_of or timezone.localdate()
    deadlines = Deadlines()
    result = SweepResult()
    candidates = (
        selectors.current_steps()
        .filter(due_on__lte=as_of + REMINDER_HORIZON)
        .exclude(kind=StepKind.PROPOSAL)
        .select_related("case__household__village")
        .order_by("case_id", "position")
    )
    # Only the step each case waits for: the later ones cannot be taken before it, and are
    # reminded (or escalated) when their turn comes.
    waiting: dict[int, CaseStep] = {}
    for candidate in candidates:
        waiting.setdefault(candidate.case_id, candidate)
    with translation.override(settings.LANGUAGE_CODE):
        for step in waiting.values():
            for stage in _stages_due(deadlines, step, as_of):
                if StepNotice.objects.filter(step=step, stage=stage, due_on=step.due_on).exists():
                    continue  # the usual case, answered without a write
                with transaction.atomic():
                    notice_id = _claim(step, stage, as_of)
                    if notice_id is None:
                        continue
                    users = list(_recipients(stage, step).values_list("pk", flat=True))
                    # Sent once by the StepNotice claimed above; the key says it again.
                    notify(
                        users,
                        key=STAGE_MESSAGES[stage],
                        arguments=_arguments(step, deadlines),
                        link=reverse("case-detail", args=[step.case_id]),
                        dedupe_key=f"step:{step.pk}:{stage}:{step.due_on.isoformat()}",
                    )
                    StepNotice.objects.filter(pk=notice_id).update(recipients=len(users))
                result.notifications += len(users)
                result.stages.append((step.pk, stage))
                if stage == NoticeStage.REMINDER:
                    result.reminded += 1
                elif stage == NoticeStage.OVERDUE:
                    result.overdue += 1
                else:
                    result.escalated += 1
    return result
