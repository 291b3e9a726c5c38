"""County scans fanned out in chunks, single evaluations, and the catch-up sweep."""

import datetime
import logging
import traceback
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.queueing import SCAN_CHUNK, enqueue_after_commit
from core.regions import area_prefix
from core.transient import TRANSIENT_DB_ERRORS
from households.models import Household, Member
from households.selectors import region_prefix_of, user_covers
from monitoring.engine.evaluation import Outcome, evaluate_households
from monitoring.engine.facts import households_in
from monitoring.engine.policy import Policy
from monitoring.evaluation_failures import described, failure_record
from monitoring.models import ScanRun, Signal
from monitoring.selectors import failed_before, failing_in_chunk, waiting_out_failure

logger = logging.getLogger(__name__)
CHUNK_SIZE = 5000
SWEEP_BATCH = 2000
# The households of a sweep judged in one transaction: a scan chunk's tenth, its locks held briefly.
SWEEP_PART = 500
# The households one requested evaluation judges at most: a few seconds' work on a busy pilot
# machine, and as long a wait for a visit to one of them being recorded meanwhile.
REQUESTED_BATCH = 200
# What an evaluation that fails lets through rather than judging its households apart: the
# errors the task retries on, and its time limit.
NOT_JUDGED_APART = (*TRANSIENT_DB_ERRORS, SoftTimeLimitExceeded)
# What failed and where (`described`) of each failure this process has logged with its frames:
# a bug's frames once, however many households it fails (a line each), and a new bug's again.
_FRAMES_LOGGED: set[str] = set()


def evaluate_one(household_id: int, *, as_of: datetime.date) -> Outcome:
    policy = Policy.current()
    match_waiting_signals([household_id], as_of=as_of, policy=policy)
    return evaluate_households(households_in(ids=[household_id]), as_of=as_of, policy=policy)


def evaluate_requested(household_id: int, *, as_of: datetime.date) -> Outcome:
    """The evaluation a change asked for (households/evaluation_requests.py), and with it every
    other household waiting for one, up to REQUESTED_BATCH, the oldest request first: a burst of
    visits is judged in a few batches, and the tasks queued for households already judged find
    nothing to do. Judging many costs about what judging one does (a statement per table).

    A household no longer marked was judged after its request committed: a request always
    writes the household's row, and an evaluation locks the rows before it reads their facts
    (monitoring/engine/facts.py, CHUNK_IDS_SQL), so one cannot clear a mark having missed the
    change.
    Others' households are taken only if no one holds them (another worker's batch, a visit
    being recorded, whose own task follows its commit) and their evaluation never failed
    (monitoring.models.EvaluationFailure: the sweep tries those, each alone, once their wait is
    over); our own is waited for, and tried even so, alone."""
    with transaction.atomic():
        own = list(
            Household.objects.select_for_update()
            .filter(pk=household_id, evaluation_pending_since__isnull=False)
            .annotate(failed=failed_before())
            .values_list("id", "failed")
        )
        others = list(
            Household.objects.select_for_update(skip_locked=True)
            .filter(evaluation_pending_since__isnull=False)
            .exclude(pk=household_id)
            .exclude(failed_before())  # left to the sweep: a visit's task judges one batch
            .order_by("evaluation_pending_since", "id")
            .values_list("id", flat=True)[: REQUESTED_BATCH - len(own)]
        )
        if not own and not others:
            return Outcome()
        claimed = own + [(other, False) for other in others]
        return _judge_failed_apart(claimed, as_of=as_of, policy=Policy.current())


def _judge_failed_apart(
    claimed: list[tuple[int, bool]], *, as_of: datetime.date, policy: Policy, match: bool = True
) -> Outcome:
    """Judge claimed households, (id, failed before) each: the rest in one go, then each that
    failed before (its wait over, a visit's own, a scan's) alone. Taken with the rest, one that
    fails again would have the whole batch judged in halves down to it, each time."""
    rest = sorted(household_id for household_id, failed in claimed if not failed)
    outcome = _judge_claimed(rest, as_of=as_of, policy=policy, match=match) if rest else Outcome()
    for household_id in sorted(household_id for household_id, failed in claimed if failed):
        outcome.add(_judge_claimed([household_id], as_of=as_of, policy=policy, match=match))
    return outcome


def _judge_claimed(
    ids: list[int],
    *,
    as_of: datetime.date,
    policy: Policy,
    match: bool = True,
) -> Outcome:
    """Judge households waiting for an evaluation, claimed (locked) by the caller's transaction.

    Should their evaluation fail for a reason another try would meet again (a household's facts
    that no rule foresaw: a bug), each half is judged apart, down to the household that fails,
    which is logged, recorded (the others' evaluations leave it out for a while) and left
    waiting, its request's time kept: the sweep and every visit's evaluation take the oldest
    requests first, and one such household would otherwise fail every evaluation of the county;
    left waiting, it keeps the pending-age alert climbing (docs/operations.md). A lost
    connection, a deadlock or the task's time limit is raised for the task to try again. A
    scan's chunk comes here for the households that failed before and, should the rest fail,
    for those; it matches no signals (`match`)."""
    try:
        with transaction.atomic():
            if match:
                match_waiting_signals(ids, as_of=as_of, policy=policy)
            return evaluate_households(households_in(ids=ids), as_of=as_of, policy=policy)
    except NOT_JUDGED_APART:
        raise
    except Exception as error:
        if len(ids) == 1:
            failures = failure_record(ids[0], error)
            # An error for the first failure, and for a bug this process has not met, a warning
            # for each try after it (its own visits, a scan, the sweep once its wait is over)
            # until it is fixed: the gauge of failing households keeps the alert. What failed and
            # where, never the message, nor with exc_info: a message may quote the household's
            # values (a database error's detail holds its whole row). The frames once a process
            # for each bug.
            what = described(error)
            new_bug = what not in _FRAMES_LOGGED
            frames = traceback.format_tb(error.__traceback__) if new_bug else ""
            logger.log(
                logging.ERROR if failures <= 1 or new_bug else logging.WARNING,
                "evaluation of household %s failed (%d in a row, %s); the others are judged%s",
                ids[0],
                failures,
                what,
                "".join(["\n", *frames]).rstrip(),
            )
            _FRAMES_LOGGED.add(what)
            return Outcome()
    outcome = Outcome()
    for half in (ids[: len(ids) // 2], ids[len(ids) // 2 :]):
        outcome.add(_judge_claimed(half, as_of=as_of, policy=policy, match=match))
    return outcome


# One statement, atomic by itself, where the ORM took three (the members, the signals locked, the
# update) and, inside a caller's transaction, a savepoint around them: the evaluation after a
# visit runs it every time, and finds nothing to match nearly every time. A signal another
# transaction holds (a reviewer's, another batch's) is skipped, as before. A number is one active
# member's at most (households.Member, one_active_membership_per_person).
MATCH_SQL = """
WITH members AS (
    SELECT id, household_id, id_number_hash
    FROM households_member
    WHERE household_id = ANY(%s::bigint[]) AND status = %s
), waiting AS (
    SELECT s.id, m.id AS member_id, m.household_id
    FROM monitoring_signal s JOIN members m ON m.id_number_hash = s.id_number_hash
    WHERE s.status = %s AND s.occurred_on >= %s AND s.occurred_on <= %s
    FOR UPDATE OF s SKIP LOCKED
)
UPDATE monitoring_signal s
SET member_id = w.member_id, household_id = w.household_id, status = %s
FROM waiting w
WHERE s.id = w.id
"""


def match_waiting_signals(
    household_ids: list[int], *, as_of: datetime.date, policy: Policy | None = None
) -> int:
    """Match the department signals that wait for review about people now active members of
    these households: a person a department reported before the registry knew them (a newborn,
    a bride, a member moved in) is matched once registered, so that the evaluation that follows
    the registration sees the signal. Only signals still inside the rules' look-back window are
    matched; older ones stay on the signal desk for a reviewer. Returns how many were matched.

    Every evaluation a change of members asks for comes through here (a single evaluation, or
    the sweep of pending ones), so the registry, which sits below monitoring, needs no call of
    its own."""
    policy = policy or Policy.current()
    since = as_of - datetime.timedelta(days=policy.lookback_days())
    with connection.cursor() as cursor:
        cursor.execute(
            MATCH_SQL,
            [
                list(household_ids),
                Member.Status.ACTIVE,
                Signal.Status.UNMATCHED,
                since,
                as_of,
                Signal.Status.MATCHED,
            ],
        )
        matched = cursor.rowcount
    if matched:
        logger.info("matched %d waiting signals on registration", matched)
    return matched


def _chunks(scope: str, due_on: datetime.date | None = None) -> list[tuple[str, int, int]]:
    """(township prefix, first id, last id) spans of at most about CHUNK_SIZE households.

    A scan fans out by township, so more workers finish sooner and a township's households are
    judged together; a big township is cut into id ranges.
    """
    townships = (
        households_in(scope=scope, due_on=due_on)
        .annotate(township=Substr("village_id", 1, 9))
        .values("township")
        .annotate(first=Min("id"), last=Max("id"), count=Count("id"))
        .order_by("township")
    )
    chunks = []
    for township in townships:
        pieces = max(1, -(-township["count"] // CHUNK_SIZE))
        span = township["last"] - township["first"] + 1
        step = -(-span // pieces)
        start = township["first"]
        while start <= township["last"]:
            chunks.append((township["township"], start, min(start + step - 1, township["last"])))
            start += step
    return chunks


def scan_start(
    *,
    trigger: str,
    scope: str = "",
    as_of: datetime.date | None = None,
    actor: User | None = None,
    only_due: bool = False,
) -> ScanRun:
    """Record a run and queue its chunks once the run is committed.

    `only_due` judges just the households whose verdict may have changed (the nightly scan);
    a changed line or rule, a department's area signal or a hand-started scan judge them all.
    With an `actor`, the scope must lie in the actor's region: whichever door starts the scan
    (a page, the API, a changed line, a department's signal), no one scans beyond their own.
    """
    if actor is not None:
        _check_scannable(actor, scope)
    return _scan_queue(trigger=trigger, scope=scope, as_of=as_of, actor=actor, only_due=only_due)


def _check_scannable(actor: User, scope: str) -> None:
    if region_prefix_of(actor) is None:
        # An account without a region has none to scan; its empty prefix would mean all of them.
        raise PermissionDenied(_("Your account has no region, so it has nothing to scan."))
    if not user_covers(actor, scope):
        raise ValidationError({"region": _("No such region in your area.")})


def _scan_queue(
    *,
    trigger: str,
    scope: str,
    as_of: datetime.date | None,
    actor: User | None,
    only_due: bool,
) -> ScanRun:
    as_of = as_of or timezone.localdate()
    chunks = _chunks(scope, as_of if only_due else None)
    with transaction.atomic():
        run = ScanRun.objects.create(
            scope=scope, trigger=trigger, as_of=as_of, chunks_total=len(chunks), started_by=actor
        )
        if not chunks:
            run.status, run.finished_at = ScanRun.Status.FINISHED, timezone.now()
            run.save(update_fields=["status", "finished_at"])
        for township, first, last in chunks:
            enqueue_after_commit(
                SCAN_CHUNK, [run.pk, township, first, last, as_of.isoformat(), only_due], "scans"
            )
    return run


def scan_start_by_hand(*, actor: User, region: str = "") -> ScanRun:
    """A scan a user starts: over their own region, or over a region inside it (a code, or a
    code prefix). The page and the API both start theirs here."""
    if not actor.has_perm("monitoring.add_scanrun"):
        raise PermissionDenied(_("Your role may not do this."))
    own = region_prefix_of(actor)
    if own is None:
        # Refused by scan_start too; here before `region or own` reads the missing prefix.
        raise PermissionDenied(_("Your account has no region, so it has nothing to scan."))
    scope = area_prefix(region or own)
    return scan_start(trigger=ScanRun.Trigger.MANUAL, scope=scope, actor=actor)


def scan_chunk(
    run_id: int,
    *,
    scope: str,
    id_from: int,
    id_to: int,
    as_of: datetime.date,
    only_due: bool = False,
) -> Outcome:
    if not ScanRun.objects.filter(pk=run_id).exists():
        # A task left in the broker by a run this database does not know (the database was
        # restored or rebuilt since it was queued): judging its households would open warnings
        # that no run counts, and the run that follows would find them open and count nothing.
        logger.warning(
            "scan chunk of unknown run %s skipped (%s %s-%s)", run_id, scope, id_from, id_to
        )
        return Outcome()
    due_on = as_of if only_due else None
    policy = Policy.current()
    with transaction.atomic():
        households = households_in(scope=scope, id_from=id_from, id_to=id_to, due_on=due_on)
        failing = set(failing_in_chunk(scope=scope, id_from=id_from, id_to=id_to))
        if failing:
            # Those whose evaluation failed before are judged apart, each alone: the chunk is not
            # judged in halves down to one of them night after night. The whole chunk locked
            # first, in one pass by id as every claim locks (the rest and then the failing, two
            # passes, would deadlock with a chunk of the same range that read the failures a
            # moment apart), its region matched in this pass only.
            locked = households.select_for_update().order_by("id").values_list("id", flat=True)
            claimed = [(household_id, household_id in failing) for household_id in locked]
            outcome = _judge_failed_apart(claimed, as_of=as_of, policy=policy, match=False)
        else:
            try:
                with transaction.atomic():
                    outcome = evaluate_households(households, as_of=as_of, policy=policy)
            except NOT_JUDGED_APART:
                raise
            except Exception:
                # A household no rule foresaw: the rest of the chunk is judged without it, and
                # the run finishes, rather than failing and being started again every quarter
                # hour. Locked here, in the chunk's transaction, as the sweep locks its part: a
                # half that fails lets go of nothing (a savepoint's locks go with it), so no
                # sweep takes a household between its failure and its record and waits on us
                # while we wait on it.
                locked = households.select_for_update().order_by("id")
                ids = list(locked.values_list("id", flat=True))
                outcome = _judge_claimed(ids, as_of=as_of, policy=policy, match=False)
        # Counted in the same transaction as the work: a redelivered chunk is not counted twice
        # unless it really ran twice, and then its second run changed nothing.
        ScanRun.objects.filter(pk=run_id).update(
            chunks_done=F("chunks_done") + 1,
            households_judged=F("households_judged") + outcome.judged,
            alerts_opened=F("alerts_opened") + outcome.opened,
            alerts_updated=F("alerts_updated") + outcome.updated,
            alerts_resolved=F("alerts_resolved") + outcome.resolved,
        )
        ScanRun.objects.filter(
            pk=run_id, status=ScanRun.Status.RUNNING, chunks_done__gte=F("chunks_total")
        ).update(status=ScanRun.Status.FINISHED, finished_at=timezone.now())
    return outcome


def scan_run_inline(
    *, trigger: str, scope: str = "", as_of: datetime.date | None = None, only_due: bool = False
) -> ScanRun:
    """The same scan, its chunks run here one after another (for management commands)."""
    as_of = as_of or timezone.localdate()
    chunks = _chunks(scope, as_of if only_due else None)
    run = ScanRun.objects.create(
        scope=scope, trigger=trigger, as_of=as_of, chunks_total=len(chunks)
    )
    for township, first, last in chunks:
        scan_chunk(
            run.pk, scope=township, id_from=first, id_to=last, as_of=as_of, only_due=only_due
        )
    if not chunks:
        ScanRun.objects.filter(pk=run.pk).update(
            status=ScanRun.Status.FINISHED, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def scan_resume_stalled() -> list[ScanRun]:
    """Start again the scans that can no longer finish.

    A chunk taken by a killed worker comes back once the broker's visibility timeout has passed
    (settings). One that gave up its retries (the database down longer than they last), or was
    lost with a broker that keeps nothing, never does, and its run would say "running" for ever.
    Past SCAN_STALLED_AFTER_MINUTES such a run is marked failed and started again over every
    household of its scope: a scan is idempotent, so the chunks that did finish are judged again
    to the same result.
    """
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.SCAN_STALLED_AFTER_MINUTES)
    resumed = []
    for run in ScanRun.objects.filter(status=ScanRun.Status.RUNNING, started_at__lt=cutoff):
        # Claimed with a conditional update: two sweeps at once restart a run once.
        claimed = ScanRun.objects.filter(pk=run.pk, status=ScanRun.Status.RUNNING).update(
            status=ScanRun.Status.FAILED, finished_at=timezone.now()
        )
        if claimed:
            logger.warning(
                "scan %d stalled at %d of %d chunks: started again",
                run.pk,
                run.chunks_done,
                run.chunks_total,
            )
            # Not checked against the starter's region again: the run was, when it began, and
            # a starter since moved or gone must not leave a scan half done.
            resumed.append(
                _scan_queue(
                    trigger=run.trigger,
                    scope=run.scope,
                    as_of=run.as_of,
                    actor=run.started_by,
                    only_due=False,
                )
            )
    return resumed


@dataclass(frozen=True)
class Sweep:
    claimed: int = 0  # waiting households taken (judged, or failed and left waiting)
    judged: int = 0


def evaluate_pending(*, limit: int = SWEEP_BATCH) -> Sweep:
    """Judge up to `limit` households whose evaluation was asked for and not made, the oldest
    request first. Its task (monitoring.tasks.evaluate_pending) queues the next sweep at once
    while they fill a batch, so that a big request (an imported file, an area event over a
    township) is judged in minutes, not a batch per beat of five minutes.

    Each part is claimed as `evaluate_requested` claims its batch: locked, skipping households
    another transaction holds. Two sweeps at once (the beat's and a queued one) share the work
    instead of judging the same households twice, and a household being recorded is left to
    the task its own request queues."""
    as_of = timezone.localdate()
    policy = Policy.current()
    claimed = judged = 0
    while claimed < limit:
        with transaction.atomic():
            part = list(
                Household.objects.select_for_update(skip_locked=True)
                .filter(evaluation_pending_since__isnull=False)
                .exclude(waiting_out_failure())
                .order_by("evaluation_pending_since", "id")
                .annotate(failed=failed_before())
                .values_list("id", "failed")[: min(SWEEP_PART, limit - claimed)]
            )
            if not part:
                break
            claimed += len(part)
            # A household that fails is recorded with the part: the later parts leave it out.
            outcome = _judge_failed_apart(part, as_of=as_of, policy=policy)
            judged += outcome.judged
    if judged:
        logger.info("sweep judged %d pending households", judged)
    return Sweep(claimed, judged)
