"""Starting and running a backtest. The doors (page, API, command, seed) validate their input
and call these; the replay itself reads only (backtests.replay)."""

import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from backtests import replay, selectors
from backtests.models import BacktestRun
from core.queueing import enqueue_after_commit
from core.regions import full_code, is_region_code, level_of, prefix_of
from core.replica import reads_from_replica
from households.models import Region
from households.selectors import region_within
from monitoring.engine import rules
from monitoring.services.policy import check_params

logger = logging.getLogger(__name__)
MAX_MONTHS = 36
MAX_HORIZON = 24
SETTING_KEYS = {"enabled", "severity", "weight", "params"}
# A run is of one county's rules (settings are set per county) or of a region inside one.
RUN_LEVELS = ("county", "township", "village")
TASK = "backtests.tasks.backtest_run"
# What a run that never finished says (shown translated on its page): its worker stopped, or its
# task was lost, and the same request may be made again.
STALLED = "stalled"


def check_proposed(proposed) -> dict[str, dict] | None:
    """A proposed configuration: {rule code: {enabled, severity, weight, params}}, each key
    optional, checked as the rule settings' own service checks them."""
    if proposed in (None, {}, ""):
        return None
    if not isinstance(proposed, dict):
        raise ValidationError({"proposed": _("Give the rule settings as an object of rules.")})
    cleaned: dict[str, dict] = {}
    for code, given in proposed.items():
        if code not in rules.RULES_BY_CODE:
            raise ValidationError({"proposed": _("No such rule: %(code)s.") % {"code": code}})
        if not isinstance(given, dict) or set(given) - SETTING_KEYS:
            raise ValidationError(
                {
                    "proposed": _(
                        "A rule's setting has only enabled, severity, weight and params: %(code)s."
                    )
                    % {"code": code}
                }
            )
        setting: dict = {}
        if "enabled" in given:
            if not isinstance(given["enabled"], bool):
                raise ValidationError({"proposed": _("enabled is true or false.")})
            setting["enabled"] = given["enabled"]
        if "severity" in given:
            if given["severity"] not in rules.SEVERITY_RANK:
                raise ValidationError({"proposed": _("Choose low, medium or high.")})
            setting["severity"] = given["severity"]
        if "weight" in given:
            weight = given["weight"]
            if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 1000:
                raise ValidationError({"proposed": _("A weight is a whole number 0 to 1000.")})
            setting["weight"] = weight
        if "params" in given:
            try:
                setting["params"] = check_params(code, given["params"])
            except ValidationError as error:
                raise ValidationError(
                    {"proposed": [f"{code}: {message}" for message in error.messages]}
                ) from None
        cleaned[code] = setting
    return cleaned


def month_error() -> str:
    return _("Give a month as 2025-07.")


def _month_end_of(day: datetime.date) -> datetime.date:
    return replay.month_end(day.year, day.month)


def _check_period(
    *, prefix: str, first: datetime.date, last: datetime.date, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    first, last = _month_end_of(first), _month_end_of(last)
    if last > today:
        raise ValidationError(
            {"period_end": _("The period must end at a month-end that has passed.")}
        )
    if first > last:
        raise ValidationError({"period_start": _("The period must start before it ends.")})
    if len(replay.month_ends(first, last)) > MAX_MONTHS:
        raise ValidationError(
            {"period_start": _("A backtest covers at most %(n)d months.") % {"n": MAX_MONTHS}}
        )
    earliest = selectors.earliest_data_on(prefix)
    if earliest is None:
        raise ValidationError({"region": _("The region has no history to replay.")})
    if first < _month_end_of(earliest):
        raise ValidationError(
            {
                "period_start": _(
                    "The region's history begins in %(month)s: start the period there or later."
                )
                % {"month": earliest.strftime("%Y-%m")}
            }
        )
    return first, last


def _region_of(actor: User | None, region_code: str) -> Region | None:
    code = (
        full_code(region_code)
        if region_code.isascii() and region_code.isdigit() and len(region_code) < 12
        else region_code
    )
    if not is_region_code(code):
        return None
    if actor is None:
        return Region.objects.filter(code=code).first()
    return region_within(user=actor, code=code)


def _run_region(actor: User | None, region_code: str) -> Region:
    region = _region_of(actor, region_code)
    if region is None:
        raise ValidationError({"region": _("No such region in your area.")})
    if level_of(region.code) not in RUN_LEVELS:
        raise ValidationError({"region": _("Choose a county, or a township or village in it.")})
    return region


def backtest_start(
    *,
    actor: User | None,
    region_code: str,
    period_start: datetime.date,
    period_end: datetime.date,
    horizon_months: int,
    proposed: dict | None = None,
    today: datetime.date | None = None,
    queue: bool = True,
) -> BacktestRun:
    """Record a run (queued) and queue its replay on the scans queue once committed. The same
    run asked for again while it waits or runs is answered with the run already there.

    Without an actor (the command, the demo's seed) any region may be replayed; with one, only
    the actor's region or one inside it."""
    if actor is not None and not actor.has_perm("backtests.add_backtestrun"):
        raise PermissionDenied(_("Your role may not do this."))
    today = today or timezone.localdate()
    region = _run_region(actor, region_code)
    if isinstance(horizon_months, bool) or not 1 <= int(horizon_months) <= MAX_HORIZON:
        raise ValidationError(
            {"horizon_months": _("The horizon is 1 to %(n)d months.") % {"n": MAX_HORIZON}}
        )
    cleaned = check_proposed(proposed)
    first, last = _check_period(
        prefix=prefix_of(region.code), first=period_start, last=period_end, today=today
    )
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=region.pk).first()
        same = BacktestRun.objects.filter(
            region=region,
            period_start=first,
            period_end=last,
            horizon_months=horizon_months,
            created_by=actor,
            status__in=[BacktestRun.Status.QUEUED, BacktestRun.Status.RUNNING],
        )
        # A JSON field's `=None` is JSON's null; no proposal is stored as SQL's NULL.
        same = (
            same.filter(proposed__isnull=True) if cleaned is None else same.filter(proposed=cleaned)
        )
        found = same.first()
        if found is not None:
            return found
        run = BacktestRun.objects.create(
            region=region,
            period_start=first,
            period_end=last,
            horizon_months=int(horizon_months),
            proposed=cleaned,
            months_total=len(replay.month_ends(first, last)),
            created_by=actor,
        )
        if queue:
            enqueue_after_commit(TASK, [run.pk], "scans")
    return run


def backtest_fail_stalled(*, now: datetime.datetime | None = None) -> int:
    """Mark failed the runs whose worker died under them (running for longer than
    BACKTEST_STALLED_AFTER_MINUTES; a county's replay takes minutes) or whose task never came
    (queued for a day): otherwise the same request would answer the dead run for ever, since a
    run is not started twice. Returns how many were marked."""
    now = now or timezone.now()
    stalled = datetime.timedelta(minutes=settings.BACKTEST_STALLED_AFTER_MINUTES)
    dead = BacktestRun.objects.filter(
        status=BacktestRun.Status.RUNNING, started_at__lt=now - stalled
    ) | BacktestRun.objects.filter(
        status=BacktestRun.Status.QUEUED, created_at__lt=now - datetime.timedelta(days=1)
    )
    marked = dead.update(status=BacktestRun.Status.FAILED, error=STALLED, finished_at=now)
    if marked:
        logger.warning("%d stalled backtests marked failed", marked)
    return marked


def backtest_run(run_id: int, *, today: datetime.date | None = None) -> BacktestRun:
    """Replay a queued run and store its figures (done) or its error (failed). A run already
    taken by a worker is left alone, so a task delivered twice replays once."""
    with transaction.atomic():
        run = selectors.run_for_update(run_id)
        if run.status != BacktestRun.Status.QUEUED:
            return run
        run.status, run.started_at = BacktestRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    began = time.monotonic()

    def progress(done: int) -> None:
        BacktestRun.objects.filter(pk=run_id).update(months_done=done)

    try:
        # The replay reads history only: the replica's when one is set (core/replica.py).
        with reads_from_replica():
            figures = replay.backtest(
                prefix=prefix_of(run.region_id),
                first=run.period_start,
                last=run.period_end,
                horizon=run.horizon_months,
                today=today or timezone.localdate(),
                proposed=run.proposed,
                progress=progress,
            )
    except Exception as error:
        logger.exception("backtest %s failed", run_id)
        BacktestRun.objects.filter(pk=run_id).update(
            status=BacktestRun.Status.FAILED,
            error=str(error)[:300],
            finished_at=timezone.now(),
            seconds=time.monotonic() - began,
        )
        raise
    BacktestRun.objects.filter(pk=run_id).update(
        status=BacktestRun.Status.DONE,
        figures=figures,
        finished_at=timezone.now(),
        seconds=round(time.monotonic() - began, 2),
    )
    run.refresh_from_db()
    return run
