"""Celery tasks: an id in, one service call."""

from celery import shared_task

from backtests import services


@shared_task(acks_late=True)
def backtest_run(run_id: int) -> str:
    return services.backtest_run(run_id).status


@shared_task
def backtests_fail_stalled() -> int:
    return services.backtest_fail_stalled()
