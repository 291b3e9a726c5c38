"""A real Celery worker for the tests that are about tasks: no eager mode anywhere.

The worker is a separate process on the same broker as the tests (the CI machine's Redis, or
the filesystem transport when no broker is set) and on the test database, so it sees what the
tests commit and nothing else.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
QUEUES = "interactive,scans,celery"


def test_database_url() -> str:
    from django.db import connection

    parsed = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/dixian"))
    return urlunparse(parsed._replace(path="/" + connection.settings_dict["NAME"]))


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper pytest would collect where imported


def purge_queues() -> None:
    """Empty the queues, and with Redis the tasks a worker took and never acknowledged: a worker
    ended at once (end_worker) leaves them there, and a later worker would take them again once
    the visibility timeout has passed."""
    from config.celery import app

    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in QUEUES.split(","):
            try:
                channel.queue_purge(queue)
            except Exception:  # a queue that was never declared has nothing to purge
                pass
        if hasattr(channel, "unacked_key"):  # kombu's Redis channel
            channel.client.delete(channel.unacked_key, channel.unacked_index_key)


def start_worker(
    log_path: Path,
    *,
    broker_url: str | None = None,
    concurrency: int = 2,
    queues: str = QUEUES,
    environment: dict[str, str] | None = None,
) -> subprocess.Popen:
    """A Celery worker of the project's own, on the test database; `environment` adds to what
    it reads from its environment (config/settings.py), for that worker only."""
    env = dict(os.environ, DATABASE_URL=test_database_url(), **(environment or {}))
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    log = log_path.open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@contextlib.contextmanager
def module_worker(tmp_path_factory, *, environment: dict[str, str] | None = None):
    """A worker on empty queues for one test module (its fixture's body), stopped after it;
    its log is printed in CI, where a failing module's worker has no other trace."""
    purge_queues()
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    process = start_worker(log, environment=environment)
    try:
        yield process
    finally:
        end_worker(process)
        if os.environ.get("CI") == "true":
            print(log.read_text(errors="replace")[-3000:])


def stop_worker(process: subprocess.Popen, *, kill: bool = False) -> None:
    if process.poll() is not None:
        _kill_what_is_left(process)  # its pool, if the main process died without it
        return
    if kill:
        os.killpg(process.pid, signal.SIGKILL)
    else:
        # The main process only: it stops its pool. SIGTERM to the whole group also reached the
        # pool's processes, and a main process that saw them die in the middle of its warm
        # shutdown sometimes waited for them until the 30 s below ran out.
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    _kill_what_is_left(process)


def end_worker(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """Stop a worker whose tests are over: once none of its database sessions is in a statement
    or a transaction (a task the test no longer waits for may still be finishing, and killed in
    the middle it would leave its statement running beside the next test's flush), it is ended
    at once. A warm shutdown spent 3-4 s waiting for its pool's processes to exit (billiard's
    join), at the end of every module and fixture that starts a worker: about 50 s of the suite.
    A test about stopping a worker calls stop_worker."""
    # A connection of its own: a fixture's teardown may come after the test's database access.
    with psycopg.connect(test_database_url(), autocommit=True) as database:
        _quiet(lambda: database.execute(WORKER_BUSY_SQL).fetchone()[0] > 0, timeout, 0.2)
    stop_worker(process, kill=True)


def _kill_what_is_left(process: subprocess.Popen) -> None:
    """A pool process left behind by a main process that stopped without it (the group is the
    worker's own: start_new_session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    """Poll until the worker's effect is visible in the database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def reset_app_connections() -> None:
    """Make the test process's Celery app connect afresh, to whatever broker the environment
    names now (Celery reads CELERY_BROKER_URL from the environment first)."""
    from kombu import pools

    from config.celery import app

    pools.reset()  # kombu keeps producer pools per connection, process-wide
    app._pool = None
    app.amqp._producer_pool = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A Redis of our own, so that stopping it does not stop anyone else's."""

    def __init__(self, folder):
        self.port, self.folder, self.process = _free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the broker fault tests"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, message="redis to start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextlib.contextmanager
def row_locked(table: str, pk: int):
    """Hold a row lock from a connection of our own, as a slow colleague's transaction would:
    whatever a worker does that needs the row then waits, for as long as the test decides."""
    with _holding(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk]):  # noqa: S608
        yield


@contextlib.contextmanager
def writes_held(table: str):
    """Let every transaction read and lock rows of the table, but hold any that writes to it
    (a SHARE lock) until the test lets go: a pause between a transaction's reads and writes."""
    with _holding(f"LOCK TABLE {table} IN SHARE MODE", []):
        yield


@contextlib.contextmanager
def _holding(statement: str, params: list):
    import psycopg

    with psycopg.connect(test_database_url(), autocommit=False) as holder:
        holder.execute(statement, params)
        yield
        holder.rollback()


def worker_backends_waiting_on_a_lock(application_name: str = "dixian-celery") -> list[int]:
    """The workers' database backends that wait for a lock (they name themselves, settings);
    with "dixian-web", the test process's own threads'."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = %s AND wait_event_type = 'Lock'",
            [application_name],
        )
        return [pid for (pid,) in cursor.fetchall()]


def terminate_backend(pid: int) -> None:
    """Cut a backend's connection as a database restart or a network failure would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextlib.contextmanager
def broker_of_our_own(folder: Path, monkeypatch):
    """A private redis-server the test process publishes to: the session's worker, on the
    shared broker, never sees these tasks, and the test may stop or restart this Redis."""
    redis = RedisServer(folder)
    redis.start()
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)
    reset_app_connections()
    try:
        yield redis
    finally:
        if redis.process.poll() is None:
            redis.stop()
        monkeypatch.undo()
        reset_app_connections()


def at_once(work, *, times: int) -> list:
    """Run `work` in `times` threads released together by a barrier, each on a database
    connection of its own (Django's are per thread); each result, or the exception raised."""
    import threading

    from django.db import connection

    results, barrier = [], threading.Barrier(times)

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # the caller asserts on what each thread met
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# The worker's sessions (application_name dixian-celery, settings) of the test database that
# are in a statement or a transaction.
WORKER_BUSY_SQL = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND application_name = 'dixian-celery' AND state <> 'idle'"
)


def _quiet(busy, timeout: float, quiet_for: float) -> bool:
    """Whether `busy()` turned false and stayed so for `quiet_for` seconds within `timeout`."""
    quiet_since = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if busy():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_for:
            return True
        time.sleep(0.05)
    return False


def wait_until_worker_idle(*, timeout: float = 60, quiet_for: float = 0.5) -> None:
    """Until no worker backend of the test database has a transaction open, and stays so for
    `quiet_for` seconds: a task in flight done."""
    from django.db import connection

    def busy() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(WORKER_BUSY_SQL)
            return cursor.fetchone()[0] > 0

    if not _quiet(busy, timeout, quiet_for):
        raise AssertionError(f"the Celery worker was still busy after {timeout} s")
