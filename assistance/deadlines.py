"""Which deadline profile a household's case follows, and the working-day calendar it is counted on.

A profile is looked up from the household's nearest region that has one — county, then city,
then province — and then the national default (the profile without a region), as the monitoring
policy looks up cadences. Without any profile (an empty table) a case keeps the policy's 15
calendar days (`steps.national_limits`).

The calendar is the holiday package's, corrected and extended by `CalendarDay` rows. Both tables
are small (a few profiles, some twenty days a year), so each use loads them in one query and
keeps nothing between requests: a county's edit counts from the next request, in every process,
with no cache to invalidate.
"""

import datetime
from dataclasses import dataclass

from assistance import steps
from assistance.models import SELF_REPORT_ACCEPTANCE_DAYS, CalendarDay, DeadlineProfile
from core.regions import nearest_first
from core.workdays import WorkCalendar


def work_calendar() -> WorkCalendar:
    """The package's calendar with the county's rows over it. A year counts as known from the
    data once it has any row: a county enters a year's notice whole (its holidays and its
    make-up days), which the calendar page says."""
    rows = list(CalendarDay.objects.values_list("day", "is_working"))
    return WorkCalendar(overrides=dict(rows), years_in_data=frozenset(day.year for day, _ in rows))


@dataclass(frozen=True)
class ProfileFor:
    """The profile a case follows, as the steps need it (also when no row exists)."""

    name: str
    region_code: str
    limits: dict
    notice_min_days: int
    escalate_after_working_days: int
    self_report_acceptance_days: int = SELF_REPORT_ACCEPTANCE_DAYS

    def limit(self, phase: str, kind: str) -> steps.Limit:
        return steps.limit_of(self.limits, phase, kind)

    @classmethod
    def of(cls, profile: DeadlineProfile) -> "ProfileFor":
        return cls(
            profile.name,
            profile.region_code,
            profile.limits,
            profile.notice_min_days,
            profile.escalate_after_working_days,
            profile.self_report_acceptance_days,
        )


def fallback_profile() -> ProfileFor:
    from django.utils.translation import gettext as _

    return ProfileFor(_("National default"), "", steps.national_limits(), steps.NOTICE_MIN_DAYS, 3)


class Deadlines:
    """Every profile and the calendar, loaded once, answering for many households."""

    def __init__(self) -> None:
        self.calendar = work_calendar()
        self._profiles = {
            row.region_code: ProfileFor.of(row) for row in DeadlineProfile.objects.all()
        }

    def profile_for(self, village_code: str) -> ProfileFor:
        for code in [*nearest_first(village_code), ""]:
            if code in self._profiles:
                return self._profiles[code]
        return fallback_profile()

    def due_on(
        self, profile: ProfileFor, proposed_on: datetime.date, phase: str, kind: str
    ) -> datetime.date:
        return profile.limit(phase, kind).due_on(proposed_on, self.calendar)
