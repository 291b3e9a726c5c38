"""A primary and its streaming read replica, started here from the embedded server's binaries
(ops/replica.py), and the database router that sends the marked reads to the replica with a lag
guard (core/replica.py, config/db_router.py).

One pair for the module (its own xdist unit, tests/xdist_groups.py), on free ports under a
temporary folder; the primary starts as a copy of the test database (its schema and the session's
regions), as a county's primary has them. Nothing is skipped: a pair that does not start fails.
"""

import datetime
import socket
import subprocess
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from backtests.models import BacktestRun
from core import replica
from households import services
from households.models import Household, Region
from ops.backup import pick_tool
from ops.embedded_postgres import _server
from ops.pgbouncer import start as start_bouncer
from ops.replica import (
    pause_replay,
    replica_lag,
    replication_state,
    resume_replay,
    start_pair,
    stop_pair,
)

ROUTER = ["config.db_router.PrimaryReplicaRouter"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _url_of(settings_dict: dict) -> str:
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    user = settings_dict["USER"] or "postgres"
    return f"postgresql://{user}@{host}:{port}/{settings_dict['NAME']}"


def _one(url: str, query: str, parameters: tuple = ()):
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        row = c.execute(query, parameters).fetchone()
    return row[0] if row else None


def _wait(condition, timeout: float = 15.0, what: str = "the replica") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def pair(tmp_path_factory, django_db_setup, django_db_blocker):
    pair = start_pair(
        tmp_path_factory.mktemp("replica-pair"), _free_port(), _free_port(), durable=False
    )
    try:
        tools = _server(pair.primary_dir).bin_path
        with django_db_blocker.unblock():
            source = _url_of(connections["default"].settings_dict)
            major = connections["default"].cursor().connection.info.server_version // 10000
        # The test server's own pg_dump (a newer one carries its column options over verbatim,
        # and the pair's server refuses some), the pair's pg_restore.
        dump = subprocess.Popen(
            [str(pick_tool("pg_dump", major)), "-Fc", "--no-owner", "-d", source],
            stdout=subprocess.PIPE,
        )
        restore = subprocess.run(
            [str(tools / "pg_restore"), "--no-owner", "-d", pair.primary_url],
            stdin=dump.stdout,
            capture_output=True,
            text=True,
        )
        assert dump.wait() == 0
        assert restore.returncode == 0, restore.stderr[-2000:]
        regions = _one(pair.primary_url, "SELECT count(*) FROM households_region")
        assert regions > 0
        _wait(lambda: replica_lag(pair.replica_url) == 0)
        assert _one(pair.replica_url, "SELECT count(*) FROM households_region") == regions
        yield pair
    finally:
        stop_pair(pair)  # its folder goes with pytest's temporary folders


def _forget(alias: str) -> None:
    try:
        connections[alias].close()
    except Exception:
        pass
    try:
        del connections[alias]
    except AttributeError:
        pass


def _wrapper(alias: str, settings_dict: dict):
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)


@contextmanager
def django_on(pair, django_db_blocker, **limits):
    """Django's `default` on the pair's primary and a `replica` alias on its replica, with the
    router installed, as config/settings.py makes them when DATABASE_REPLICA_URL is set. The
    test's own connection (and its transaction, if the test has one) is put back after."""
    databases = connections.settings
    test_connection = connections["default"]
    on_pair = {"NAME": pair.database, "HOST": "127.0.0.1", "USER": "postgres", "PASSWORD": ""}
    primary = {**test_connection.settings_dict, **on_pair, "PORT": pair.primary_port}
    databases[replica.REPLICA] = {
        **primary,
        "PORT": pair.replica_port,
        "OPTIONS": {**primary["OPTIONS"], "connect_timeout": 2},
    }
    settings = {
        "DATABASE_ROUTERS": ROUTER,
        "DIXIAN_REPLICA_CHECK_SECONDS": 0,
        "DIXIAN_REPLICA_MAX_LAG_SECONDS": 5.0,
        **limits,
    }
    replica.guard.reset()
    with django_db_blocker.unblock():
        connections["default"] = _wrapper("default", primary)
        try:
            with override_settings(**settings):
                yield
        finally:
            _forget(replica.REPLICA)
            connections["default"].close()
            connections["default"] = test_connection
            del databases[replica.REPLICA]
            replica.guard.reset()
            resume_replay(pair.replica_url)


def _served_by(alias: str, read) -> int:
    """How many statements `read` sent to the database of `alias`."""
    with CaptureQueriesContext(connections[alias]) as captured:
        read()
    return len(captured.captured_queries)


def _first_region():
    return list(Region.objects.order_by("code")[:1])


def test_a_write_on_the_primary_arrives_on_the_replica(pair):
    with psycopg.connect(pair.primary_url.replace("postgres://", "postgresql://")) as c:
        c.execute("CREATE TABLE IF NOT EXISTS arrival (note text)")
        c.execute("INSERT INTO arrival VALUES ('streamed')")
    _wait(lambda: _one(pair.replica_url, "SELECT to_regclass('arrival') IS NOT NULL"))
    _wait(lambda: _one(pair.replica_url, "SELECT count(*) FROM arrival") == 1)
    assert _one(pair.replica_url, "SELECT note FROM arrival") == "streamed"
    assert _one(pair.replica_url, "SELECT pg_is_in_recovery()") is True
    [standby] = replication_state(pair.primary_url)
    assert standby["state"] == "streaming"
    _wait(lambda: replica_lag(pair.replica_url) == 0)
    assert replica_lag(pair.primary_url) is None  # a primary has no replay lag
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        _one(pair.replica_url, "INSERT INTO arrival VALUES ('refused')")


def test_a_marked_read_goes_to_the_replica_and_an_unmarked_one_to_the_primary(
    pair, django_db_blocker
):
    with django_on(pair, django_db_blocker):
        assert _served_by("default", _first_region) == 1
        assert _served_by(replica.REPLICA, _first_region) == 0
        with replica.reads_from_replica():
            # The guard's lag question, then the read itself.
            assert _served_by(replica.REPLICA, _first_region) == 2
            assert _served_by("default", _first_region) == 0
            # The sign-in's tables and what a transaction reads stay on the primary.
            assert Region.objects.all().db == replica.REPLICA
            assert User.objects.all().db == "default"
            with replica.pinned_to_primary():
                assert Region.objects.all().db == "default"
            from django.db import transaction

            with transaction.atomic():
                assert Region.objects.all().db == "default"
            # Writes go to the primary whatever the context.
            region = Region.objects.order_by("code").first()
            assert region._state.db == replica.REPLICA
            region.save(update_fields=["name"])  # the same name: nothing changes
    with override_settings(DATABASE_ROUTERS=[]):
        assert Region.objects.all().db == "default"  # without a replica, nothing changes


# Where the primary's WAL is flushed: the pair commits synchronously (ops.replica.start_pair),
# so a commit that returned lies before it, and it is what the primary sends, so a replica whose
# receive position reached it has received the commit. (The pair once committed asynchronously,
# and pg_current_wal_lsn() right after a commit then stopped short of its commit record: a
# replica "caught up" with it showed the old name, CI 2026-12-03 and 12-04.) A replay is waited
# for by the change itself showing on the replica, not by a position: a replay position is the
# end of a whole record, and the flush position may lie inside the next one.
COMMITTED_LSN = "SELECT pg_current_wal_flush_lsn()::text"


def _received(replica_url: str, lsn: str) -> bool:
    """Whether the replica has received the primary's WAL up to `lsn`."""
    return bool(_one(replica_url, "SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", (lsn,)))


def _replayed_name(pair, code: str) -> str | None:
    """The region's name as the replica has replayed it."""
    return _one(pair.replica_url, "SELECT name FROM households_region WHERE code = %s", (code,))


def test_a_stalled_or_unreachable_replica_sends_marked_reads_to_the_primary(
    pair, django_db_blocker
):
    with django_on(pair, django_db_blocker, DIXIAN_REPLICA_MAX_LAG_SECONDS=0.3):
        with replica.reads_from_replica():
            assert Region.objects.all().db == replica.REPLICA
        pause_replay(pair.replica_url)
        village = Region.objects.filter(level="village").order_by("code").first()
        Region.objects.filter(pk=village.pk).update(name="停滞村")  # on the primary
        change = _one(pair.primary_url, COMMITTED_LSN)
        # The change reached the replica but is not replayed: its lag grows past the limit. (A
        # lag past the limit alone could be the age of an older commit, the change not yet
        # received: the replica must have received it first.)
        _wait(lambda: _received(pair.replica_url, change), what="the change")
        _wait(lambda: (replica_lag(pair.replica_url) or 0) > 0.3, what="the lag")
        with replica.reads_from_replica():
            assert Region.objects.all().db == "default"
            assert Region.objects.get(pk=village.pk).name == "停滞村"
        resume_replay(pair.replica_url)
        _wait(lambda: _replayed_name(pair, village.pk) == "停滞村", what="the replay")
        _wait(lambda: replica_lag(pair.replica_url) == 0)
        with replica.reads_from_replica():
            assert Region.objects.all().db == replica.REPLICA
            assert Region.objects.get(pk=village.pk).name == "停滞村"
        # The replica unreachable: its address now answers nothing.
        _forget(replica.REPLICA)
        connections.settings[replica.REPLICA]["PORT"] = _free_port()
        began = time.monotonic()
        with replica.reads_from_replica():
            assert Region.objects.all().db == "default"
            assert Region.objects.get(pk=village.pk).name == "停滞村"
        assert time.monotonic() - began < 3


def test_a_users_change_is_read_from_the_primary_after_the_redirect(
    pair, django_db_blocker, monkeypatch
):
    from django.test import Client

    monkeypatch.setattr("backtests.services.enqueue_after_commit", lambda *a, **k: None)
    # The guard tolerates an hour: a replica that is behind but "fresh enough" is what makes a
    # read after one's own write stale, and the pin is what keeps it from the user.
    with django_on(pair, django_db_blocker, DIXIAN_REPLICA_MAX_LAG_SECONDS=3600):
        county = Region.objects.get(code="620423000000")
        officer = User.objects.create_user(
            "replica-officer", password="x", role=Role.COUNTY_OFFICER, region=county
        )
        village = Region.objects.filter(level="village", code__startswith="620423").first()
        household = services.household_create(
            actor=officer, village_code=village.code, poverty_status="ordinary", address="主库路 1"
        )
        # History to replay: the household registered before the period.
        Household.objects.filter(pk=household.pk).update(
            created_at=datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
        )
        browser = Client()
        browser.force_login(officer)
        _wait(lambda: replica_lag(pair.replica_url) == 0)
        pause_replay(pair.replica_url)
        started = browser.post(
            reverse("backtest-list"),
            {
                "region": county.code,
                "period_start": "2025-01",
                "period_end": "2025-06",
                "horizon_months": "6",
                "proposed": "",
            },
        )
        assert started.status_code == 302, started.content[:2000]
        assert replica.PIN_COOKIE in started.cookies
        page = browser.get(started["Location"])
        assert page.status_code == 200
        run = BacktestRun.objects.get()
        # A browser without the pin (another of the officer's devices) is served the replica,
        # which has not replayed the run yet: what the pin spares the one who started it.
        other = Client()
        other.force_login(officer)
        assert other.get(started["Location"]).status_code == 404
        resume_replay(pair.replica_url)
        # Lag 0 alone could be a replica that has not yet received the run's commit at all.
        runs = f"SELECT count(*) FROM {BacktestRun._meta.db_table} WHERE id = %s"  # noqa: S608
        _wait(lambda: _one(pair.replica_url, runs, (run.pk,)) == 1, what="the replay")
        _wait(lambda: replica_lag(pair.replica_url) == 0)
        assert other.get(started["Location"]).status_code == 200
        assert run.region_id == county.code


# --- PgBouncer in transaction mode, in front of the pair's primary ------------------------------


@pytest.fixture(scope="module")
def pgbouncer(pair, tmp_path_factory):
    """PgBouncer (Debian's) in transaction mode on a free port, pooling the pair's primary in
    two server connections; its admin console answers SHOW STATS."""
    bouncer = start_bouncer(
        tmp_path_factory.mktemp("pgbouncer"),
        port=_free_port(),
        server_host="127.0.0.1",
        server_port=pair.primary_port,
        databases=[pair.database],
        pool_size=2,
    )
    yield bouncer
    bouncer.stop()


def test_django_runs_through_pgbouncer_in_transaction_mode(pair, pgbouncer, django_db_blocker):
    """The settings of DIXIAN_DB_PGBOUNCER: no server-side cursor, nothing prepared; pages and a
    service's transaction go through a pooler that hands a server connection to each
    transaction, not to each client."""
    from django.test import Client

    test_connection = connections["default"]
    through = {
        **test_connection.settings_dict,
        "NAME": pair.database,
        "HOST": "127.0.0.1",
        "PORT": pgbouncer.port,
        "USER": "postgres",
        "PASSWORD": "",
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": {  # no startup `options`: PgBouncer refuses them (config/settings.py)
            **{k: v for k, v in test_connection.settings_dict["OPTIONS"].items() if k != "options"},
            "prepare_threshold": None,
            "server_side_binding": False,
        },
    }
    before = pgbouncer.stats(pair.database).get("total_query_count", 0)
    with django_db_blocker.unblock():
        connections["default"] = _wrapper("default", through)
        try:
            county = Region.objects.get(code="620423000000")
            officer = User.objects.create_user(
                "bouncer-officer", password="x", role=Role.COUNTY_OFFICER, region=county
            )
            browser = Client()
            browser.force_login(officer)
            for page in ("home", "household-list", "backtest-list"):
                assert browser.get(reverse(page)).status_code == 200, page
            # The server connection set what the startup option sets without a pooler.
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT current_setting('pgtrigger.ignore')")
                assert cursor.fetchone()[0] == "{}"
            # .iterator() would hold a named cursor across statements: not behind the pooler.
            assert sum(1 for _ in Region.objects.iterator(chunk_size=10)) > 10
            # A service's transaction (a household and its history) on one server connection.
            village = Region.objects.filter(level="village", code__startswith="620423").first()
            household = services.household_create(
                actor=officer, village_code=village.code, poverty_status="ordinary", address="池 1"
            )
            assert Household.objects.filter(pk=household.pk).exists()
        finally:
            connections["default"].close()
            connections["default"] = test_connection
    stats = pgbouncer.stats(pair.database)
    assert stats["total_query_count"] - before > 20
    assert stats["total_xact_count"] > 0


def test_an_api_clients_list_pages_read_the_replica(pair, django_db_blocker):
    """A department system's list pages (core/pagination.py) are marked; a person's are not."""
    from django.test import Client

    with django_on(pair, django_db_blocker, DIXIAN_REPLICA_MAX_LAG_SECONDS=3600):
        county = Region.objects.get(code="620423000000")
        machine = User.objects.create_user("replica-machine", role=Role.API_CLIENT, region=county)
        person = User.objects.create_user(
            "replica-county", password="x", role=Role.COUNTY_OFFICER, region=county
        )
        clients = {}
        for user in (machine, person):
            clients[user.role] = Client()
            clients[user.role].force_login(user)
        _wait(lambda: replica_lag(pair.replica_url) == 0)
        pause_replay(pair.replica_url)
        village = Region.objects.filter(level="village", code__startswith="620423").first()
        household = services.household_create(
            actor=person, village_code=village.code, poverty_status="ordinary", address="副本 1"
        )

        def listed(role: str) -> bool:
            page = clients[role].get("/api/v1/households/", {"page_size": 200})
            assert page.status_code == 200, page.content[:500]
            return household.number in page.content.decode()

        assert listed(Role.COUNTY_OFFICER)  # a person's list: the primary
        assert not listed(Role.API_CLIENT)  # the replica has not replayed it yet
        resume_replay(pair.replica_url)
        # Replayed once the replica has received the write, which may still be on its way.
        _wait(lambda: listed(Role.API_CLIENT), what="the household replayed on the replica")
