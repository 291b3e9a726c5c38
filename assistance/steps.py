"""The statutory steps of identification and of risk elimination, who takes each, and by when.

The whole of a phase must finish within `CASE_PHASE_DAYS` days of its proposal (15 by policy; a
province may set its own). The days are counted as Chinese administrative deadlines are (期间开始
的当日不计算在内): the day of the proposal is day 0 and is not counted, day 1 is the day after, and
the last day is day `CASE_PHASE_DAYS` (proposed on 2 March: finished by 17 March at the latest).
A step's due date is its day counted the same way; a step is overdue from the day after it.
Each step's day is its share of the limit, so a shorter or longer limit moves every step with it.
The village public notice runs at least `NOTICE_MIN_DAYS` days, counted inclusively (posted on
the 1st, objections taken until the end of the 5th).

A province (or a county) sets its own limits as a deadline profile (`DeadlineProfile`, chosen by
`assistance.deadlines`): each step's `Limit` in working or calendar days after the proposal, counted
on the working-day calendar (`core.workdays`). The national profile is this module's 15 calendar
days (`national_limits`), which also serve a case no profile covers.
"""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings

from assistance.models import Phase, StepKind
from core.workdays import WorkCalendar

NOTICE_MIN_DAYS = 5
# The policy's day numbers within its 15 days; scaled when CASE_PHASE_DAYS differs.
POLICY_DAYS = 15


@dataclass(frozen=True)
class StepRule:
    kind: str
    permission: str  # the Django permission of the role that takes the step
    day: int  # due on this day of the policy's 15


IDENTIFICATION = (
    StepRule(StepKind.PROPOSAL, "assistance.propose_case", 0),
    StepRule(StepKind.CONSENT, "assistance.record_village_step", 2),
    StepRule(StepKind.INFO_CHECK, "assistance.check_case_information", 5),
    StepRule(StepKind.DELIBERATION, "assistance.record_village_step", 7),
    StepRule(StepKind.NOTICE, "assistance.record_village_step", 13),
    StepRule(StepKind.TOWNSHIP_REVIEW, "assistance.review_case", 14),
    StepRule(StepKind.COUNTY_APPROVAL, "assistance.approve_case", 15),
)
ELIMINATION = (
    StepRule(StepKind.PROPOSAL, "assistance.propose_case", 0),
    StepRule(StepKind.HOME_VERIFICATION, "assistance.record_village_step", 4),
    StepRule(StepKind.DELIBERATION, "assistance.record_village_step", 7),
    StepRule(StepKind.NOTICE, "assistance.record_village_step", 13),
    StepRule(StepKind.TOWNSHIP_REVIEW, "assistance.review_case", 14),
    StepRule(StepKind.COUNTY_APPROVAL, "assistance.approve_case", 15),
)
PHASE_STEPS: dict[str, tuple[StepRule, ...]] = {
    Phase.IDENTIFICATION: IDENTIFICATION,
    Phase.ELIMINATION: ELIMINATION,
}


def phase_days() -> int:
    return settings.CASE_PHASE_DAYS


def due_on(proposed_on: datetime.date, rule: StepRule) -> datetime.date:
    """The last day for the step: its day, counted from the day after the proposal."""
    days = math.ceil(rule.day * phase_days() / POLICY_DAYS)
    return proposed_on + datetime.timedelta(days=days)


def phase_last_day(proposed_on: datetime.date) -> datetime.date:
    """The last day the phase proposed on `proposed_on` may finish on (its last step's due date)."""
    return proposed_on + datetime.timedelta(days=phase_days())


def rule_for(phase: str, kind: str) -> StepRule:
    return next(rule for rule in PHASE_STEPS[phase] if rule.kind == kind)


def notice_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    return (ends_on - starts_on).days + 1


# --- Deadline profiles (assistance.models.DeadlineProfile): each step's limit as data.

WORKING = "working"
CALENDAR = "calendar"
UNITS = (WORKING, CALENDAR)
# A limit longer than this is a typing error, not a policy (the longest known is 20 working days).
MAX_LIMIT_DAYS = 60


@dataclass(frozen=True)
class Limit:
    days: int
    unit: str  # WORKING or CALENDAR

    def due_on(self, proposed_on: datetime.date, calendar: WorkCalendar) -> datetime.date:
        """The last day of the limit, counted from the day after the proposal."""
        if self.unit == WORKING:
            return calendar.add_working_days(proposed_on, self.days)
        return calendar.add_calendar_days(proposed_on, self.days)


def national_limits() -> dict[str, dict[str, dict]]:
    """The policy's 15 calendar days (scaled to CASE_PHASE_DAYS), as a profile's `limits`: what
    a case falls back to when no profile covers it."""
    return {
        phase: {
            rule.kind: {
                "days": math.ceil(rule.day * phase_days() / POLICY_DAYS),
                "unit": CALENDAR,
            }
            for rule in rules
            if rule.kind != StepKind.PROPOSAL
        }
        for phase, rules in PHASE_STEPS.items()
    }


def limit_of(limits: dict, phase: str, kind: str) -> Limit:
    """A step's limit in a profile's `limits` (the proposal is day 0: it opens the phase)."""
    if kind == StepKind.PROPOSAL:
        return Limit(0, CALENDAR)
    row = limits[phase][kind]
    return Limit(int(row["days"]), row["unit"])


def limits_errors(limits: object) -> list[str]:
    """What is wrong with a profile's `limits`, in words for the person who typed them (empty
    when they are right): every step of both phases once, whole days from 1 to MAX_LIMIT_DAYS,
    a known unit, and no step due before the one taken ahead of it."""
    from django.utils.translation import gettext as _

    if not isinstance(limits, dict):
        return [_("The limits are a table of phases and steps.")]
    errors = []
    for phase, rules in PHASE_STEPS.items():
        rows = limits.get(phase)
        if not isinstance(rows, dict):
            errors.append(_("Give the limits of %(phase)s.") % {"phase": Phase(phase).label})
            continue
        wanted = [rule.kind for rule in rules if rule.kind != StepKind.PROPOSAL]
        if set(rows) - set(wanted):
            errors.append(
                _("%(phase)s has no step %(steps)s.")
                % {"phase": Phase(phase).label, "steps": ", ".join(sorted(set(rows) - set(wanted)))}
            )
        previous: tuple[int, str] | None = None
        for kind in wanted:
            label = {"phase": Phase(phase).label, "step": StepKind(kind).label}
            row = rows.get(kind)
            days = row.get("days") if isinstance(row, dict) else None
            unit = row.get("unit") if isinstance(row, dict) else None
            if not isinstance(days, int) or isinstance(days, bool):
                errors.append(_("%(phase)s, %(step)s: give the limit in whole days.") % label)
                continue
            if not 1 <= days <= MAX_LIMIT_DAYS:
                errors.append(
                    _("%(phase)s, %(step)s: a limit is from 1 to %(max)d days.")
                    % {**label, "max": MAX_LIMIT_DAYS}
                )
            if unit not in UNITS:
                errors.append(
                    _("%(phase)s, %(step)s: count the limit in working or calendar days.") % label
                )
            elif previous is not None and previous[1] == unit and days < previous[0]:
                errors.append(
                    _("%(phase)s, %(step)s: due before the step taken ahead of it.") % label
                )
            previous = (days, unit) if unit in UNITS else previous
    return errors


# --- Who acts next, and what holds a step back (the case page, the API and the services).

HOUSEHOLD = "household"
VILLAGE = "village"
TOWNSHIP = "township"
COUNTY = "county"
# The level that takes a step, by the permission the step needs (accounts.roles gives each
# permission to one role). Consent is the household's own act: the village records it.
LEVEL_OF_PERMISSION = {
    "assistance.propose_case": VILLAGE,
    "assistance.record_village_step": VILLAGE,
    "assistance.check_case_information": TOWNSHIP,
    "assistance.review_case": TOWNSHIP,
    "assistance.approve_case": COUNTY,
}


def level_of(rule: StepRule) -> str:
    if rule.kind == StepKind.CONSENT:
        return HOUSEHOLD
    return LEVEL_OF_PERMISSION[rule.permission]


@dataclass(frozen=True)
class Hold:
    """Why the step's decision may not be recorded yet, for everyone: `code` for machines,
    `message` in words."""

    code: str
    message: str


def step_hold(
    *,
    kind: str,
    notice_starts_on: datetime.date | None,
    notice_ends_on: datetime.date | None,
    as_of: datetime.date,
    calendar: WorkCalendar | None = None,
) -> Hold | None:
    """What holds the waiting step back on `as_of`, or None when it may be taken. One rule: the
    service refuses on it and the page and the API disable the step with its message.

    The notice's result is recorded only once its objection period is over: objections are taken
    until the end of its last day. With a calendar, the message counts the working days left
    (today included when it is one), as the village reads the period off the board."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if kind != StepKind.NOTICE:
        return None
    if notice_starts_on is None or notice_ends_on is None:
        return Hold("not_posted", _("Post the public notice first; its result comes after it."))
    if as_of <= notice_ends_on:
        until = date_format(notice_ends_on, "MONTH_DAY_FORMAT")
        message = _("Objection period until %(date)s") % {"date": until}
        if calendar is not None:
            left = calendar.working_days_between(as_of - datetime.timedelta(days=1), notice_ends_on)
            message += ngettext(
                " (%(count)d working day left)", " (%(count)d working days left)", left
            ) % {"count": left}
        return Hold("notice_running", message)
    return None
