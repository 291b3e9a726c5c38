"""Gathering what the self-development capacity reads (monitoring.engine.capacity), in bulk.

For a chunk of households, a fixed number of queries whatever its size: the active members, the
chunk's work records of the last twelve months, its delivered trainings and its enterprise or
cooperative links (assistance measures), and the previous readings (to know whose score crossed
the rule's threshold). Commitments kept (development plans) and credit standing (micro-loans)
come through one function each, which answers "not known" for now.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from assistance.models import Measure, MeasureKind, MeasureStatus, PartnerKind
from core.masking import age_this_year
from development.selectors.plans import commitments_kept
from households.models import Household, Member
from livelihoods.models import WorkRecord, WorkStatus
from livelihoods.selectors.credit import credit_standing
from livelihoods.selectors.industry import enterprise_links
from monitoring.engine.capacity import (
    CapacityInputs,
    CapacityResult,
    MemberInput,
    capacity_of,
)
from monitoring.engine.policy import Policy
from monitoring.models import CapacityReading

TRAINING_KINDS = (MeasureKind.MOTIVATION, MeasureKind.EMPLOYMENT)
ENTERPRISE_KINDS = (
    PartnerKind.STATE_ENTERPRISE,
    PartnerKind.PRIVATE_ENTERPRISE,
    PartnerKind.COOPERATIVE,
)


def year_before(as_of: datetime.date) -> datetime.date:
    """The first day of the twelve months ending with the as-of date's month."""
    month = as_of.year * 12 + as_of.month - 1 - 11
    return datetime.date(month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Measured:
    household_id: int
    village_id: str
    result: CapacityResult
    weights_id: int | None
    weights_version: int


def _members(ids: list[int], as_of: datetime.date) -> dict[int, list[tuple[int, MemberInput]]]:
    found: dict[int, list[tuple[int, MemberInput]]] = defaultdict(list)
    for member_id, household_id, birth, labour, education, schooling in (
        Member.objects.filter(household_id__in=ids, status=Member.Status.ACTIVE)
        .order_by("household_id", "id")
        .values_list(
            "id",
            "household_id",
            "birth_date",
            "labour",
            "education",
            "schooling",
        )
    ):
        member = MemberInput(
            # The age reached this year, as every page shows it: a reading whose count of working
            # age changed on a birthday would date the birth the ID mask hides.
            age=age_this_year(birth, today=as_of),
            labour=labour,
            education=education,
            schooling=schooling,
        )
        found[household_id].append((member_id, member))
    return found


def _months_worked(ids: list[int], as_of: datetime.date) -> dict[int, tuple[int, int]]:
    """Per member with work records in the last twelve months: (months recorded, months worked)."""
    rows = (
        WorkRecord.objects.filter(household_id__in=ids, month__gte=year_before(as_of))
        .filter(month__lte=as_of)
        .values("member_id")
        .annotate(recorded=Count("id"), worked=Count("id", filter=Q(status=WorkStatus.WORKING)))
        .values_list("member_id", "recorded", "worked")
    )
    return {member_id: (recorded, worked) for member_id, recorded, worked in rows}


def _trainings(ids: list[int], as_of: datetime.date) -> dict[int, int]:
    """Training (motivation and skills, employment) delivered in the last twelve months."""
    since = as_of - datetime.timedelta(days=365)
    rows = (
        Measure.objects.filter(
            case__household_id__in=ids,
            kind__in=TRAINING_KINDS,
            status=MeasureStatus.DELIVERED,
        )
        .filter(
            Q(actual_end__gte=since, actual_end__lte=as_of)
            | Q(actual_end__isnull=True, actual_start__gte=since, actual_start__lte=as_of)
        )
        .values("case__household_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("case__household_id", "n")
    )
    return dict(rows)


def _enterprise_links(ids: list[int], as_of: datetime.date) -> dict[int, int]:
    """Industry support by an enterprise or cooperative (联农带农) under way or delivered and not
    ended before the last twelve months, and the 联农带农 links recorded in livelihoods
    (`enterprise_links`): a household linked both ways counts each."""
    since = as_of - datetime.timedelta(days=365)
    rows = (
        Measure.objects.filter(
            case__household_id__in=ids,
            kind=MeasureKind.INDUSTRY,
            partner__kind__in=ENTERPRISE_KINDS,
            status__in=(MeasureStatus.IN_PROGRESS, MeasureStatus.DELIVERED),
        )
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=since))
        .values("case__household_id")
        .annotate(n=Count("partner_id", distinct=True))
        .values_list("case__household_id", "n")
    )
    links = dict(rows)
    for household_id, count in enterprise_links(ids, as_of).items():
        if count:
            links[household_id] = links.get(household_id, 0) + count
    return links


def _commitments(ids: list[int], as_of: datetime.date) -> dict[int, tuple[float, int]]:
    """(share kept, commitments rated) per household whose agreed plan was reviewed by then. A
    household missing from the answer is "not recorded", never zero."""
    return commitments_kept(ids, as_of)


def _credit(ids: list[int], as_of: datetime.date) -> dict[int, str]:
    """ "none" (never borrowed), "good" or "overdue" on the as-of date, from the micro-credit
    records."""
    return credit_standing(ids, as_of)


def gather(
    households: QuerySet[Household], *, as_of: datetime.date, policy: Policy
) -> list[Measured]:
    """The capacity of every household of the chunk on the as-of date, in id order."""
    rows = list(households.order_by("id").values_list("id", "village_id"))
    ids = [household_id for household_id, _ in rows]
    if not ids:
        return []
    members = _members(ids, as_of)
    work = _months_worked(ids, as_of)
    trainings = _trainings(ids, as_of)
    links = _enterprise_links(ids, as_of)
    commitments = _commitments(ids, as_of)
    credit = _credit(ids, as_of)
    measured = []
    for household_id, village in rows:
        own = members.get(household_id, [])
        inputs = CapacityInputs(
            members=tuple(member for _, member in own),
            months_worked=tuple(
                work[member_id][1]
                for member_id, member in own
                if member.of_working_age and member_id in work
            ),
            trainings=trainings.get(household_id, 0),
            enterprise_links=links.get(household_id, 0),
            commitments=commitments.get(household_id),
            credit=credit.get(household_id),
        )
        weights, weights_id = policy.capacity_weights(village)
        measured.append(
            Measured(
                household_id,
                village,
                capacity_of(inputs, weights),
                weights_id,
                weights.version,
            )
        )
    return measured


def previous_readings(ids: list[int], as_of: datetime.date) -> dict[int, tuple[int, int]]:
    """Each household's latest (score, members of working age) before the as-of date (one query,
    DISTINCT ON)."""
    return {
        household_id: (score, working_age)
        for household_id, score, working_age in CapacityReading.objects.filter(
            household_id__in=ids, measured_on__lt=as_of
        )
        .order_by("household_id", "-measured_on")
        .distinct("household_id")
        .values_list("household_id", "score", "working_age")
    }
