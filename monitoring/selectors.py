"""Reads of the monitoring app, scoped by region like everything else."""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import JSONArray, JSONObject, Now

from core.arrays import AnyOf, id_array
from core.regions import area_prefix, is_region_code
from core.scope import Scope
from households.models import Household, Region
from households.selectors import households_visible_to, regions_within, under_region
from monitoring.filters import AlertFilter
from monitoring.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertStatus,
    AreaEvent,
    AreaEventStatus,
    EvaluationFailure,
    Notification,
    ScanRun,
    ScreeningStatus,
    ScreeningTask,
    Signal,
    SignalOutcome,
    VerificationResult,
    Visit,
    Webhook,
    WebhookDelivery,
)


def visits_visible_to(user) -> QuerySet[Visit]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_visit"):
        return Visit.objects.none()
    return Visit.objects.filter(scope.q("household__village__code"))


def alerts_visible_to(user) -> QuerySet[Alert]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_alert"):
        return Alert.objects.none()
    # By the warning's own copy of the village (Alert.village): a township's warnings are read
    # through their index instead of through a join with every household of the township.
    return Alert.objects.filter(scope.q("village__code"))


# A region at least this deep (a township's 9 digits) holds few enough active warnings for their
# ids to be gathered first: 18,337 in the largest township of a 1,000,000-household county.
NARROW_PREFIX_DIGITS = 9


def alerts_of_area(
    alerts: QuerySet[Alert], user, *, region: str = "", village: str = ""
) -> QuerySet[Alert]:
    """`alerts` (already scoped and filtered) read through the ids they match, for a list of a
    township or a village ordered by id.

    Ordered by id, PostgreSQL walks the primary key from the newest warning and filters every
    row, assuming a township's warnings are spread evenly; they are not (a scan opens them
    household by household, so a township's ids are one run), and a township whose run lies low
    is found after every other township's warnings: 27,046 rows read for 51 at 200,000
    households, 35 ms. `id = ANY(ARRAY(SELECT id …))` gathers the matching ids first from the
    index alert_active_village_id (an index-only scan of the township's range), then reads the
    page through the primary key, in order, however the ids lie. The rows are the same: the
    outer query keeps every filter. A county's list (most of the table) is left as it is: its
    walk finds its rows at once, where gathering 150,000 ids would not."""
    deepest = max(
        Scope.of(user).prefix or "",
        area_prefix(region),
        village if is_region_code(village) else "",
        key=len,
    )
    if len(deepest) < NARROW_PREFIX_DIGITS:
        return alerts
    ids = ArraySubquery(alerts.order_by().values("pk"))
    return alerts.filter(AnyOf(F("pk"), ids))


def alerts_for_digest(cadre) -> QuerySet[Alert]:
    """The active warnings a cadre's daily digest counts: those of the cadre's region. None for
    an account without a region, nor for a superuser, whose digest would be the whole country."""
    scope = Scope.of(cadre)
    if not scope.prefix:
        return Alert.objects.none()
    return Alert.objects.filter(scope.q("village__code"), status__in=ACTIVE_STATUSES)


def alert_villages(user) -> QuerySet[Region]:
    """The villages a warning queue can be narrowed to: those of the user's region."""
    return regions_within(user).filter(level=Region.Level.VILLAGE).order_by("code")


def alert_townships(user) -> QuerySet[Region]:
    """The townships a county's warning queue is narrowed to first (then one of their villages),
    rather than every village of the county in one list. None for a township's own user."""
    return (
        regions_within(user)
        .filter(level=Region.Level.TOWNSHIP)
        .exclude(code=user.region_id or "")
        .order_by("code")
    )


def alert_villages_of(user, township: str) -> QuerySet[Region]:
    """The villages of one township of the user's region, for the queue's second choice."""
    return under_region(alert_villages(user), township, path="code")


def alert_verifications(alert: Alert):
    """A warning's home verifications, the latest first, with their verifier and visit."""
    return alert.verifications.select_related("verified_by", "visit").order_by(
        "-verified_at", "-id"
    )


def alerts_in_region(alerts: QuerySet[Alert], region: str) -> QuerySet[Alert]:
    """Warnings under a region given as a full code or a code prefix."""
    return under_region(alerts, region)


def alert_queue(user) -> QuerySet[Alert]:
    """Active alerts, the most severe and the oldest first."""
    return (
        alerts_visible_to(user)
        .filter(status__in=ACTIVE_STATUSES)
        .select_related("assignee")
        # The households (and their villages) of the rows shown come in a second query: joined
        # into this one, PostgreSQL reads every household of the county to sort a township's
        # few thousand warnings.
        .prefetch_related(
            Prefetch("household", queryset=Household.objects.select_related("village"))
        )
        .order_by("-score", "opened_at", "id")
    )


def signals_visible_to(user) -> QuerySet[Signal]:
    """Signals about households in scope, areas in scope, or sent by systems of this region."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_signal"):
        return Signal.objects.none()
    visible = Signal.objects.filter(
        scope.q("household__village__code")
        | scope.q("region__code")
        | (Q(household__isnull=True, region__isnull=True) & scope.q("received_by__region__code"))
    )
    if is_sender(user):
        # A sender reads back its area signals and the person signals it sent itself, and of
        # these only what people did with them (SignalOutcome, through the API's read-back
        # fields): whether a number matched is the reviewers' to know, or the sender could
        # try candidate numbers and read which one is registered (services/signals.py::_answer).
        visible = visible.filter(Q(region__isnull=False) | Q(received_by=user))
    return visible


def is_sender(user) -> bool:
    """A department's system: it sends signals and reads back their outcomes, no more."""
    return user.has_perm("monitoring.add_signal") and not user.has_perm("monitoring.change_signal")


def _citing_alerts() -> QuerySet[Alert]:
    """The warnings whose department reason cites the outer query's signal.

    A reason lists the signals it rests on (engine.rules.department_signal); containment finds
    the signal's id among them. A person signal's warnings are its household's; an area
    signal's, those of the households of its area.
    """
    cites = JSONArray(
        JSONObject(
            code=Value("department_signal"),
            evidence=JSONObject(signals=JSONArray(JSONObject(id=OuterRef("pk")))),
        )
    )
    return Alert.objects.filter(reasons__contains=cites)


def _cited(alerts: QuerySet[Alert]) -> Case:
    """Whether any of `alerts` cites the outer signal, looked for by household or by area."""
    return Case(
        When(
            household__isnull=False,
            then=Exists(alerts.filter(household=OuterRef("household"))),
        ),
        When(
            region__isnull=False,
            then=Exists(alerts.filter(village__code__startswith=OuterRef("region_id"))),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


# A warning a cadre has looked at: verified on site, confirmed, dismissed or made a case, all
# by hand. Not one the rules resolved when its reasons aged out: that happens to a matched
# signal's warning with nobody looking, and a sender would read the match from it.
CHECKED = Q(status__in=[AlertStatus.CONFIRMED, AlertStatus.DISMISSED, AlertStatus.CASE]) | Q(
    verifications__isnull=False
)
# Verified: found true, in whole or in part, on site.
VERIFIED = Q(status__in=[AlertStatus.CONFIRMED, AlertStatus.CASE]) | Q(
    verifications__result__in=[VerificationResult.TRUE, VerificationResult.PARTLY]
)


def signals_with_outcome(queryset: QuerySet[Signal]) -> QuerySet[Signal]:
    """Each signal with what became of it: warned, checked, verified, enrolled, and `outcome`
    (SignalOutcome), the part its sender may read back."""
    alerts = _citing_alerts()
    annotated = queryset.annotate(
        warned=_cited(alerts),
        checked=_cited(alerts.filter(CHECKED)),
        verified=_cited(alerts.filter(VERIFIED)),
        enrolled=_cited(alerts.filter(status=AlertStatus.CASE)),
    )
    return annotated.annotate(
        outcome=Case(
            When(status=Signal.Status.RESOLVED, then=Value(SignalOutcome.CLOSED)),
            When(enrolled=True, then=Value(SignalOutcome.ENROLLED)),
            When(checked=True, then=Value(SignalOutcome.CHECKED)),
            default=Value(SignalOutcome.RECEIVED),
            output_field=CharField(),
        )
    )


@dataclass(frozen=True)
class FunnelRow:
    source: str
    kind: str
    signals: int
    matched: int
    warnings: int
    verified: int
    enrolled: int


def signal_funnel(user) -> list[FunnelRow]:
    """Per department and kind, the region's signals and how far they went: matched to a
    household or area, fed a warning, that warning verified, the household enrolled. Counted
    from each signal's own outcome, not from every warning of the region."""
    rows = (
        signals_with_outcome(signals_visible_to(user))
        .order_by()
        .values("source", "kind")
        .annotate(
            total=Count("pk"),
            matched=Count("pk", filter=Q(status=Signal.Status.MATCHED)),
            warnings=Count("pk", filter=Q(warned=True)),
            verified_count=Count("pk", filter=Q(verified=True)),
            enrolled_count=Count("pk", filter=Q(enrolled=True)),
        )
        .order_by("source", "kind")
    )
    return [
        FunnelRow(
            row["source"],
            row["kind"],
            row["total"],
            row["matched"],
            row["warnings"],
            row["verified_count"],
            row["enrolled_count"],
        )
        for row in rows
    ]


def scan_runs_visible_to(user) -> QuerySet[ScanRun]:
    """Runs over the user's region or a region inside it.

    Not the runs over an area that contains it: a county's run counts the whole county's
    households and warnings, which a township does not see.
    """
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_scanrun"):
        return ScanRun.objects.none()
    return ScanRun.objects.filter(scope.q("scope"))


def waiting_out_failure() -> Exists:
    """For a claim of households to judge: true of one whose evaluation failed and whose wait is
    not over (monitoring.models.EvaluationFailure), in the database's clock."""
    return Exists(EvaluationFailure.objects.filter(household=OuterRef("pk"), retry_after__gt=Now()))


def failed_before() -> Exists:
    """For a claim of households to judge: true of one whose evaluation failed and is not yet
    forgotten, its wait over or not (monitoring.models.EvaluationFailure)."""
    return Exists(EvaluationFailure.objects.filter(household=OuterRef("pk")))


def failing_in_chunk(*, scope: str, id_from: int, id_to: int) -> list[int]:
    """The households of a scan's chunk (a region, a range of ids) whose evaluation failed
    before, in id order. The region is matched here rather than in the statement: the chunk's
    region filter runs once, in the statement that locks its households
    (tests/structure/test_evaluation_queries.py), and the failures are few."""
    prefix = area_prefix(scope) if scope else ""
    rows = EvaluationFailure.objects.filter(
        household_id__gte=id_from, household_id__lte=id_to
    ).values_list("household_id", "household__village_id")
    return sorted(household_id for household_id, village in rows if village.startswith(prefix))


def evaluation_failures_listed() -> QuerySet:
    """Every failing evaluation, the oldest first, with its household's number and village and
    nothing else of the household: for operators (a command on the server, not a page)."""
    return EvaluationFailure.objects.order_by("first_failed_at", "household_id").values(
        "household_id",
        "error",
        "failures",
        "first_failed_at",
        "last_failed_at",
        "retry_after",
        number=F("household__number"),
        village=F("household__village_id"),
    )


def policy_rows_visible_to(queryset: QuerySet, user) -> QuerySet:
    """Income lines, rule settings, visit cadences: national rows, and rows of the user's region
    and of the regions above it (a county sees its province's line, not its neighbour's)."""
    scope = Scope.of(user)
    if scope.sees_nothing:
        return queryset.none()
    return queryset.filter(
        Q(region__isnull=True) | scope.q("region__code") | Q(region__code__in=scope.regions_above())
    )


def visits_due(user, *, today: datetime.date, within_days: int = 14) -> QuerySet:
    """Households whose next visit falls within the coming days, or not yet judged (no date).

    The date is the engine's (`rules.visit_due_on`, written by the evaluation), so this list,
    the overdue one, the dashboard and the rule `visit_overdue` count from the same day."""
    horizon = today + datetime.timedelta(days=within_days)
    return (
        households_visible_to(user)
        .filter(
            Q(next_visit_due__gte=today, next_visit_due__lte=horizon)
            | Q(next_visit_due__isnull=True)
        )
        .select_related("village")
        .order_by("next_visit_due", "number")
    )


def visits_overdue(user, *, today: datetime.date) -> QuerySet:
    return (
        households_visible_to(user)
        .filter(next_visit_due__lt=today)
        .select_related("village")
        .order_by("next_visit_due", "number")
    )


def unread_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def webhooks_for_recipient(user, key: str) -> list[Webhook]:
    """The active webhooks of the regions that contain the user's region (their county's),
    which take notifications of this kind."""
    if not user.region_id:
        return []
    regions = [*Scope.of(user).regions_above(), user.region_id]
    webhooks = Webhook.objects.filter(region_id__in=regions, active=True)
    return [webhook for webhook in webhooks if not webhook.kinds or key in webhook.kinds]


def webhooks_visible_to(user) -> QuerySet[Webhook]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_webhook"):
        return Webhook.objects.none()
    return Webhook.objects.filter(scope.q("region__code")).select_related("region")


def webhook_deliveries_visible_to(user) -> QuerySet[WebhookDelivery]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_webhook"):
        return WebhookDelivery.objects.none()
    return WebhookDelivery.objects.filter(scope.q("webhook__region__code")).select_related(
        "webhook", "notification"
    )


def alerts_listed(user, params) -> QuerySet[Alert]:
    """The warning queue as its page shows it, filtered by the page's query parameters (the
    page and its Excel export read the same rows)."""
    # The filters the API applies too; a value the page cannot read is left out, not refused.
    queryset = alert_queue(user)
    if params.get("closed") in ("1", "true"):
        # Closed warnings too: the dashboard's "warnings opened in a period" links here.
        queryset = (
            alerts_visible_to(user)
            .select_related("assignee")
            .prefetch_related(
                Prefetch("household", queryset=Household.objects.select_related("village"))
            )
            .order_by("-opened_at", "id")
        )
    return AlertFilter(params, queryset=queryset, request=SimpleNamespace(user=user)).qs


def visits_listed(user, params) -> QuerySet[Visit]:
    visits = visits_visible_to(user).select_related("household__village", "visitor")
    if params.get("mine"):
        visits = visits.filter(visitor=user)
    return visits.order_by("-visited_on", "-id")


def area_events_visible_to(user) -> QuerySet[AreaEvent]:
    """Area events on the user's region, on a region inside it, or on one that contains it (a
    county's event is screened by its village workers too)."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_areaevent"):
        return AreaEvent.objects.none()
    return AreaEvent.objects.filter(
        scope.q("region__code") | Q(region__code__in=scope.regions_above())
    )


def screening_tasks_visible_to(user) -> QuerySet[ScreeningTask]:
    """Screening tasks of the households of the user's region."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("monitoring.view_areaevent"):
        return ScreeningTask.objects.none()
    return ScreeningTask.objects.filter(scope.q("household__village__code"))


def area_events_listed(user) -> QuerySet[AreaEvent]:
    """Active events first, then the latest; each with its progress over the tasks of the
    user's region: `total`, `screened` and `affected`."""
    scope = Scope.of(user)
    in_scope = scope.q("tasks__household__village__code")
    return (
        area_events_visible_to(user)
        .select_related("region")
        .annotate(
            total=Count("tasks", filter=in_scope),
            screened=Count("tasks", filter=in_scope & ~Q(tasks__status=ScreeningStatus.PENDING)),
            affected=Count("tasks", filter=in_scope & Q(tasks__status=ScreeningStatus.AFFECTED)),
        )
        .order_by("status", "-opened_at", "-id")
    )


# Each household looked up in the event's unique index (event, household), one probe an id: given
# `household_id = ANY(ids)`, the planner, whose statistics had not yet seen the tasks the listing
# was writing, read the event's every task for each batch, a read that grows with the list (74 ms
# a batch on average over a county's, 74 s of its listing). OFFSET 0 keeps the probe a probe.
HAVE_TASK_SQL = """
SELECT h.id FROM unnest(%s::bigint[]) AS h(id)
CROSS JOIN LATERAL (
    SELECT 1 FROM monitoring_screeningtask t
    WHERE t.event_id = %s AND t.household_id = h.id
    OFFSET 0
) t
"""


def households_with_task(event_id: int, household_ids: list[int]) -> set[int]:
    """Those of the households that have a screening task in the event (a listing's batch)."""
    with connection.cursor() as cursor:
        cursor.execute(HAVE_TASK_SQL, [id_array(household_ids), event_id])
        return {household_id for (household_id,) in cursor.fetchall()}


def area_event_tasks(user, event: AreaEvent) -> QuerySet[ScreeningTask]:
    """The event's tasks of the user's region, in rank order, with their households."""
    return (
        screening_tasks_visible_to(user)
        .filter(event=event)
        .select_related("household", "household__village", "screened_by")
        .order_by("rank", "id")
    )


def active_area_events(user) -> QuerySet[AreaEvent]:
    """The dashboard's block: the active events of the user's region, with their progress."""
    return area_events_listed(user).filter(status=AreaEventStatus.ACTIVE)
