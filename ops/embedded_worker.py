"""The Celery worker of the embedded default (`make run`, config/embedded.py), in one place so
that the bench's burst (bench/embedded_burst.py) measures the worker a pilot install runs.

Every queue in one worker of two processes: a pilot county has no separate scan worker, so a
visit's evaluation (`interactive`) may wait behind a scan's chunk; two processes keep one free
for it most of the time.
"""

QUEUES = "interactive,scans,celery"
CONCURRENCY = 2


def worker_command(python: str, *, log_level: str = "warning", name: str = "") -> list[str]:
    command = [python, "-m", "celery", "-A", "config", "worker", "-l", log_level]
    command += ["-c", str(CONCURRENCY), "-Q", QUEUES]
    if name:
        command += ["-n", name]
    return command
