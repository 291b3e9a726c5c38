"""The village public notice (公示): one case's, and the batch of one deliberation meeting.

Both are built here from `NoticeRow` only: the head's name, the village and township, the
category, the deliberation's date, the notice's dates and the contact who posted it. Nothing
else of a household can reach a notice: no ID number, phone, address, bank account or health
detail. The batch is the same rows, one per household, so it shows no more than each single
notice does.

A meeting is the village's deliberation on one day: the cases of one village whose deliberation
passed on that date (local time) and whose notice has been posted.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from assistance.models import Case, CaseStep, Decision, StepKind
from assistance.selectors import cases_visible_to
from households.models import Region


@dataclass(frozen=True)
class NoticeRow:
    case_id: int
    phase: str
    head_name: str
    village: str
    township: str
    category: str
    decided_on: datetime.date | None
    starts_on: datetime.date
    ends_on: datetime.date
    contact_name: str


def _row(case: Case, notice: CaseStep, deliberation: CaseStep | None) -> NoticeRow:
    village = case.household.village
    contact = notice.notice_posted_by
    assert notice.notice_starts_on is not None and notice.notice_ends_on is not None
    return NoticeRow(
        case_id=case.pk,
        phase=notice.phase,
        head_name=case.household.head_name,
        village=village.short_name,
        township=village.parent.short_name if village.parent else "",
        category=str(case.get_category_display()),
        decided_on=timezone.localtime(deliberation.decided_at).date()
        if deliberation is not None and deliberation.decided_at
        else None,
        starts_on=notice.notice_starts_on,
        ends_on=notice.notice_ends_on,
        contact_name=contact.display_name if contact else "",
    )


def case_notice(case: Case) -> NoticeRow | None:
    """The case's latest posted notice (None before one is posted)."""
    notice = (
        case.steps.filter(kind=StepKind.NOTICE, notice_starts_on__isnull=False)
        .select_related("notice_posted_by")
        .order_by("-round")
        .first()
    )
    if notice is None:
        return None
    deliberation = case.steps.filter(
        phase=notice.phase, round=notice.round, kind=StepKind.DELIBERATION
    ).first()
    return _row(case, notice, deliberation)


def _deliberations(user: User) -> QuerySet[CaseStep]:
    return CaseStep.objects.filter(
        case__in=cases_visible_to(user),
        kind=StepKind.DELIBERATION,
        decision=Decision.APPROVED,
        decided_at__isnull=False,
    )


def meeting_notice(*, user: User, village_code: str, day: datetime.date) -> list[NoticeRow]:
    """Every household of the village's deliberation on `day` whose notice is posted, by
    household number; empty for a village outside the user's region."""
    deliberations = list(
        _deliberations(user)
        .filter(case__village_id=village_code, decided_at__date=day)
        .select_related("case__household__village__parent")
        .order_by("case__household__number", "phase", "round")
    )
    notices = {
        (step.case_id, step.phase, step.round): step
        for step in CaseStep.objects.filter(
            case_id__in={step.case_id for step in deliberations},
            kind=StepKind.NOTICE,
            notice_starts_on__isnull=False,
        ).select_related("notice_posted_by")
    }
    rows = []
    for deliberation in deliberations:
        notice = notices.get((deliberation.case_id, deliberation.phase, deliberation.round))
        if notice is not None:
            rows.append(_row(deliberation.case, notice, deliberation))
    return rows


@dataclass(frozen=True)
class Meeting:
    village_code: str
    village: str
    day: datetime.date
    households: int


def meetings_recent(*, user: User, since: datetime.date, limit: int = 8) -> list[Meeting]:
    """The latest deliberation meetings with posted notices in the user's region, newest first."""
    found = (
        _deliberations(user)
        .filter(decided_at__date__gte=since)
        .filter(
            Q(
                case__steps__kind=StepKind.NOTICE,
                case__steps__notice_starts_on__isnull=False,
            )
        )
        .annotate(day=TruncDate("decided_at"))
        .values("case__village_id", "day")
        .annotate(households=Count("case", distinct=True))
        .order_by("-day", "case__village_id")[:limit]
    )
    rows = list(found)
    names = {
        region.code: region.short_name
        for region in Region.objects.filter(code__in={row["case__village_id"] for row in rows})
    }
    return [
        Meeting(
            row["case__village_id"], names[row["case__village_id"]], row["day"], row["households"]
        )
        for row in rows
    ]
