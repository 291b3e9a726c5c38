"""Shared fixtures: real regions from the national codes, and the personas of STYLE.md.

Jingtai county (620423) is the home county; Jingyuan county (620421) is "another county".
"""

import contextlib
import datetime
import os
import socket
import zoneinfo
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from audit.triggers import REFUSE_FUNCTION_SQL
from households import services
from tests import fast_flush, fast_restore, migrated_template
from tests.idgen import make_id_number

HOME_COUNTY = "620423000000"
HOME_TOWNSHIP = "620423100000"  # 一条山镇
HOME_VILLAGE = "620423100200"  # 水源村
OTHER_VILLAGE_SAME_TOWNSHIP = "620423100201"  # 石门村
OTHER_TOWNSHIP = "620423101000"  # 芦阳镇
OTHER_TOWNSHIP_VILLAGE = "620423101200"
OTHER_COUNTY = "620421000000"  # 靖远县


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


# The suite makes and logs in thousands of users; production's PBKDF2 (a million iterations)
# costs a third of a second a hash on a small machine, and is not what any test is about. Tests
# hash with MD5 first; the production hashers stay listed after it, so a hash made by a process
# of production settings (a worker, manage.py) is still checked. Production keeps PBKDF2 first:
# tests/accounts/test_password_hashers.py.
TEST_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    *settings.PASSWORD_HASHERS,
]


def pytest_configure(config):
    settings.PASSWORD_HASHERS = TEST_PASSWORD_HASHERS
    migrated_template.install()
    fast_flush.install()
    fast_restore.install()


def pytest_sessionstart(session):
    # In CI the servers are part of the test: one that cannot be reached fails the run at once.
    if os.environ.get("CI") == "true":
        broker = os.environ.get("CELERY_BROKER_URL", "")
        if broker.startswith("redis") and not _reachable(broker, 6379):
            pytest.exit(f"CI: the Redis broker {broker} cannot be reached", returncode=3)
        database = os.environ.get("DATABASE_URL", "")
        if not _reachable(database, 5432):
            pytest.exit(f"CI: the database {database} cannot be reached", returncode=3)


# For tests that need committed data seen by other connections (threads, workers). The regions
# loaded below are restored after each such test's flush from the serialized copy.
committed_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# The audit tables' function (audit/triggers.py) refuses every rewrite. In the test database a
# superuser gets through: between transactional tests Django reloads a serialized copy (UPDATE
# of the same rows), and a flush that resets sequences or cascades still TRUNCATEs (the usual
# flush deletes with the triggers off: tests/fast_flush.py). The tests that prove the refusal
# take the deployment's role (SET ROLE to a non-owner, non-superuser role), which this lets
# through nothing.
SUPERUSER_PASSES = """    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
"""
# The production function with that one branch put first: its refusal stays production's own.
assert REFUSE_FUNCTION_SQL.count("BEGIN\n") == 1
TEST_REFUSE_FUNCTION_SQL = REFUSE_FUNCTION_SQL.replace("BEGIN\n", "BEGIN\n" + SUPERUSER_PASSES)


def migrated_copy_name() -> str:
    """The test database as `migrate` leaves it, before the changes below: the backup tests'
    pilot county and the bench's smoke run start from it (tests/migrated_template.py)."""
    return migrated_template.template_name()


@contextlib.contextmanager
def day_held(day: datetime.date) -> Iterator[None]:
    """The clock held on `day`, a module's `TODAY = timezone.localdate()` taken at collection.

    A run that crosses midnight in Shanghai (16:00 UTC) would otherwise compare yesterday's
    constant with today's dates: "the contact cannot be before the pairing began". On a run that
    stays within its day this changes nothing; the clock keeps ticking from noon."""
    if timezone.localdate() == day:
        yield
        return
    noon = datetime.datetime.combine(day, datetime.time(12), zoneinfo.ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=True):
        yield


def day_held_fixture(day: datetime.date):
    """An autouse fixture holding `day` for every test of the module or folder it is set in:
    `_day_held = day_held_fixture(TODAY)`."""

    @pytest.fixture(autouse=True)
    def held() -> Iterator[None]:
        with day_held(day):
            yield

    return held


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    if connection.alias not in migrated_template.made:
        return  # no test collected needs the database: pytest-django made none
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(TEST_REFUSE_FUNCTION_SQL)
        call_command("load_regions", "620423", "620421", verbosity=0)
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        fast_restore.take(connection)


def _user(username, role, region, **flags) -> User:
    user = User.objects.create_user(
        username=username, password="test-password-123", role=role, region_id=region, **flags
    )
    return user


@pytest.fixture
def village_worker(db):
    return _user("village_worker", Role.VILLAGE_WORKER, HOME_VILLAGE)


@pytest.fixture
def township_cadre(db):
    return _user("township_cadre", Role.TOWNSHIP_CADRE, HOME_TOWNSHIP)


@pytest.fixture
def other_township_cadre(db):
    return _user("other_township_cadre", Role.TOWNSHIP_CADRE, OTHER_TOWNSHIP)


@pytest.fixture
def county_officer(db):
    return _user("county_officer", Role.COUNTY_OFFICER, HOME_COUNTY, is_staff=True)


@pytest.fixture
def other_county_officer(db):
    return _user("other_county_officer", Role.COUNTY_OFFICER, OTHER_COUNTY, is_staff=True)


@pytest.fixture
def partner_org(db):
    from assistance.models import Partner, PartnerKind

    return Partner.objects.create(
        name="景泰县恒达农业有限公司",
        kind=PartnerKind.PRIVATE_ENTERPRISE,
        area_id=HOME_COUNTY,
        contact_name="刘经理",
        contact_phone="0943-5521234",
    )


@pytest.fixture
def partner(partner_org):
    """A user of a partner enterprise that serves the home county."""
    return _user("partner", Role.PARTNER, HOME_COUNTY, partner=partner_org)


@pytest.fixture
def auditor(db):
    return _user("auditor", Role.AUDITOR, HOME_COUNTY)


@pytest.fixture
def api_client_user(db):
    return _user("api_client", Role.API_CLIENT, HOME_COUNTY)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def household(township_cadre):
    """A lifted-out household in the home village, with a head and a spouse."""
    created = services.household_create(
        actor=township_cadre,
        village_code=HOME_VILLAGE,
        poverty_status="lifted_out",
        poverty_exit_year=2019,
        address="水源村3社12号",
        phone="13893001234",
        bank_account="6228480402564890018",
    )
    services.member_create(
        actor=township_cadre,
        household_id=created.pk,
        name="张建国",
        id_number=make_id_number("620423", "19680315", 1),
        relation="head",
        labour="ordinary",
        education="junior",
        health="chronic",
        health_note="高血压",
        phone="13893005678",
    )
    services.member_create(
        actor=township_cadre,
        household_id=created.pk,
        name="李秀英",
        id_number=make_id_number("620423", "19700621", 2),
        relation="spouse",
        labour="ordinary",
        education="primary",
    )
    created.refresh_from_db()
    return created


@pytest.fixture
def other_township_household(other_township_cadre):
    created = services.household_create(
        actor=other_township_cadre,
        village_code=OTHER_TOWNSHIP_VILLAGE,
        poverty_status="ordinary",
    )
    services.member_create(
        actor=other_township_cadre,
        household_id=created.pk,
        name="王富贵",
        id_number=make_id_number("620423", "19750808", 3),
        relation="head",
        labour="ordinary",
        education="senior",
    )
    created.refresh_from_db()
    return created


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, tmp_path_factory):
    """A real worker consuming every queue, for the module that asks for it only: alive beyond
    it, it would take the tasks other modules' tests queue and race their database flush."""
    from tests import workers

    with workers.module_worker(tmp_path_factory) as process:
        yield process


# --- pytest-xdist: which tests stay on one worker is tests/xdist_groups.py.


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese): one that switched (a request in
    English, translation.activate) must not leave the next in English, whatever order the
    xdist workers are handed the tests in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# The fixtures that start a module's worker (tests/workers.py module_worker).
MODULE_WORKERS = frozenset({"celery_worker", "email_worker", "webhook_worker"})


@pytest.fixture(autouse=True)
def _celery_worker_idle_before_flush(request, _django_db_helper):
    """After a test with the module's worker, wait until the worker has no transaction open
    before the database is emptied: a task still finishing (the test saw what it waited for,
    the task goes on) would otherwise deadlock with the flush's table locks. Set up after the
    database helper, so torn down before its flush."""
    yield
    if MODULE_WORKERS & set(request.fixturenames):
        from tests import workers

        workers.wait_until_worker_idle()


def _empties_the_database(item) -> bool:
    """A transactional test (committed rows, a live server) ends with Django's flush."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(fixtures)
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put back what the session loaded (the regions, the migrations' own rows) after a flush.

    Django restores the serialized rows when a transactional test *starts* and flushes when it
    ends, counting on transactional tests running last, as pytest-django orders them in one
    process. Under xdist a worker takes the browser and Celery-worker groups first (the biggest
    units, tests/xdist_groups.py), and the ordinary tests after them would find no regions.
    """
    yield
    if nextitem is None or not _empties_the_database(item):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(contents)
