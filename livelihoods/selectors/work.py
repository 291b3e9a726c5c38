"""Reads of the monthly work records: scoped lists, a household's last twelve months, and the
months worked the capacity indicator reads."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from core.scope import Scope
from households.models import Household, Member
from livelihoods.models import WorkRecord, WorkStatus
from livelihoods.selectors.common import add_months, first_of_month, of_working_age


def work_records_visible_to(user) -> QuerySet[WorkRecord]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("livelihoods.view_workrecord"):
        return WorkRecord.objects.none()
    return WorkRecord.objects.filter(scope.q("household__village__code"))


def work_record_get(*, user, pk) -> WorkRecord:
    try:
        return work_records_visible_to(user).select_related("household", "member").get(pk=pk)
    except (WorkRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def work_record_of(*, member_id: int, month: datetime.date) -> WorkRecord | None:
    return WorkRecord.objects.filter(member_id=member_id, month=month).first()


def working_age_members(household: Household, month: datetime.date) -> list[Member]:
    """The household's active members of working age (16–64) in the month."""
    members = household.members.filter(status=Member.Status.ACTIVE).order_by("pk")
    return [m for m in members if of_working_age(m.birth_date, first_of_month(month))]


def last_records_of(household: Household, before: datetime.date) -> dict[int, WorkRecord]:
    """Each member's latest record of a month before `before` (a form's pre-filled rows)."""
    latest: dict[int, WorkRecord] = {}
    for record in household.work_records.filter(month__lt=first_of_month(before)).order_by(
        "member_id", "-month"
    ):
        latest.setdefault(record.member_id, record)
    return latest


def records_of_month(household: Household, month: datetime.date) -> dict[int, WorkRecord]:
    return {r.member_id: r for r in household.work_records.filter(month=first_of_month(month))}


def twelve_months(as_of: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months up to and including `as_of`'s, oldest first."""
    last = first_of_month(as_of)
    return [add_months(last, offset) for offset in range(-11, 1)]


@dataclass(frozen=True)
class MemberYear:
    member: Member
    cells: list[WorkRecord | None]  # one a month, oldest first
    worked: int  # months with the status "working"
    latest: WorkRecord | None


def household_grid(household: Household, as_of: datetime.date) -> list[MemberYear]:
    """The working-age members' last twelve months, a record or None a month."""
    months = twelve_months(as_of)
    records = {
        (r.member_id, r.month): r
        for r in household.work_records.filter(month__gte=months[0], month__lte=months[-1])
    }
    rows = []
    for member in working_age_members(household, as_of):
        cells = [records.get((member.pk, month)) for month in months]
        kept = [cell for cell in cells if cell is not None]
        rows.append(
            MemberYear(
                member=member,
                cells=cells,
                worked=sum(1 for cell in kept if cell.status == WorkStatus.WORKING),
                latest=kept[-1] if kept else None,
            )
        )
    return rows


def months_worked(household_ids: list[int], as_of: datetime.date) -> dict[int, list[int]]:
    """Per household, the months worked in the twelve months up to `as_of`, one number (0–12)
    for each member of working age on `as_of` with any record in those months, by member id.
    Pure read, no scoping: the caller passes ids it may see. Derived from the records, so it
    can never be over 12."""
    months = twelve_months(as_of)
    rows = (
        WorkRecord.objects.filter(
            household_id__in=household_ids, month__gte=months[0], month__lte=months[-1]
        )
        .values("household_id", "member_id", "member__birth_date")
        .annotate(worked=Count("pk", filter=Q(status=WorkStatus.WORKING)))
        .order_by("household_id", "member_id")
    )
    result: dict[int, list[int]] = defaultdict(list)
    for household_id in household_ids:
        result[household_id] = []
    for row in rows:
        if of_working_age(row["member__birth_date"], as_of):
            result[row["household_id"]].append(min(row["worked"], 12))
    return dict(result)
