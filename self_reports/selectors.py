"""Every read of the households' own reports, scoped here and nowhere else.

The public side reads without a user: the village a public page belongs to, a report by its
query code (which carries nothing but its status out), and the member a report names, looked up
in the village's county only (a report from a village speaks of that county's people).
"""

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from core.scope import Scope
from households.models import Household, Member, Region
from households.selectors import households_visible_to, regions_visible_to
from self_reports.models import SelfReport, SelfReportStatus

VIEW = "self_reports.view_selfreport"
CHANGE = "self_reports.change_selfreport"


def village_public(*, code: str) -> Region | None:
    """The village of a public page, or None (the page answers a plain 404)."""
    if not (isinstance(code, str) and len(code) == 12 and code.isascii() and code.isdigit()):
        return None
    return Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()


def self_report_by_query_code(*, code_hash: str) -> SelfReport | None:
    return SelfReport.objects.filter(query_code_hash=code_hash).only("status").first()


def member_matching(*, id_number_hash: str, village: Region) -> Member | None:
    """The active member of the village holding the ID number, if any. Only the village's own:
    a report reaches the village's cadres, who could neither see nor answer a warning opened on
    a household of another township; someone registered elsewhere is linked by them by hand."""
    return (
        Member.objects.select_related("household")
        .filter(household__village=village)
        .filter(id_number_hash=id_number_hash, status=Member.Status.ACTIVE)
        .first()
    )


def self_reports_visible_to(user) -> QuerySet[SelfReport]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm(VIEW):
        return SelfReport.objects.none()
    return SelfReport.objects.filter(scope.q("village__code"))


def self_reports_listed(user, *, status: str = "") -> QuerySet[SelfReport]:
    """The reports of the user's region: those still waiting first, the overdue at the top
    (the earliest acceptance date), then those being checked, then the decided, newest first."""
    rows = self_reports_visible_to(user).select_related("village", "household")
    if status in SelfReportStatus.values:
        rows = rows.filter(status=status)
    order = Case(
        When(status=SelfReportStatus.RECEIVED, then=Value(0)),
        When(status=SelfReportStatus.CHECKING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return rows.annotate(waiting_rank=order).order_by("waiting_rank", "acceptance_due", "pk")


def self_reports_awaiting(user) -> QuerySet[SelfReport]:
    """Received and not yet accepted: the worklist's kind reads these."""
    return self_reports_visible_to(user).filter(status=SelfReportStatus.RECEIVED)


def self_report_get(*, user, pk) -> SelfReport:
    try:
        return (
            self_reports_visible_to(user).select_related("village", "household", "alert").get(pk=pk)
        )
    except (SelfReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def self_report_for_update(*, user, pk: int) -> SelfReport | None:
    """The report locked for a write, if the user's region holds it."""
    return self_reports_visible_to(user).select_for_update().filter(pk=pk).first()


def household_in_village(*, user, village: Region, number: str) -> Household | None:
    """The household the cadre names by its number, among those of the report's village."""
    return households_visible_to(user).filter(village=village, number=number).first()


def village_for_poster(*, user, code: str) -> Region | None:
    """A village of the user's region whose poster (the QR code) the user may print."""
    if not user.has_perm(VIEW):
        return None
    return regions_visible_to(user).filter(code=code, level=Region.Level.VILLAGE).first()


def villages_with_poster(user) -> QuerySet[Region]:
    if not user.has_perm(VIEW):
        return Region.objects.none()
    return regions_visible_to(user).filter(level=Region.Level.VILLAGE).order_by("code")
