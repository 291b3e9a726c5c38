"""Tests that share a costly fixture go to one xdist worker (tests/xdist_groups.py)."""

from types import SimpleNamespace

from tests.xdist_groups import GroupScheduling, pytest_xdist_make_scheduler, work_unit


def test_both_backup_modules_are_one_unit_of_work():
    assert (
        work_unit("tests/ops/test_backup.py::test_backup_restores_into_a_fresh_database")
        == work_unit("tests/ops/test_backup_across_versions.py::test_a_failed_conversion")
        == "ops-backup"
    )


def test_a_module_group_keeps_its_tests_together_and_other_tests_go_alone():
    assert work_unit("tests/api/test_schema.py::test_a[x]") == work_unit(
        "tests/api/test_schema.py::test_b"
    )
    assert work_unit("tests/browser/test_case_walk.py::test_x") == "browser"
    assert work_unit("tests/browser/test_persona_days.py::test_x[phone]") == "browser-days"
    alone = "tests/households/test_api.py::test_list[township_cadre]"
    assert work_unit(alone) == alone


def test_xdists_own_suffix_is_read_where_a_pytest_keeps_it():
    assert work_unit("tests/households/test_api.py::test_list[a@b]@ops-backup") == "ops-backup"
    assert work_unit("tests/households/test_api.py::test_list[a@b]") == (
        "tests/households/test_api.py::test_list[a@b]"
    )


class _Config(SimpleNamespace):
    def getvalue(self, name):
        return getattr(self, name)


class _Worker:
    """What the scheduler asks of an xdist worker: the indexes of the tests it is to run."""

    shutting_down = False

    def __init__(self, name: str):
        self.gateway = SimpleNamespace(id=name)
        self.sent: list[int] = []

    def send_runtest_some(self, indexes):
        self.sent += indexes

    def shutdown(self):
        self.shutting_down = True


def test_loadgroup_hands_a_group_to_one_worker_and_spreads_the_rest():
    config = _Config(
        dist="loadgroup", tx=["2*popen"], option=SimpleNamespace(loadscopereorder=True)
    )
    assert pytest_xdist_make_scheduler(_Config(dist="load"), log=None) is None
    scheduler = pytest_xdist_make_scheduler(config, log=None)
    assert isinstance(scheduler, GroupScheduling)
    collection = [
        "tests/ops/test_backup.py::test_backup_restores",
        "tests/households/test_api.py::test_list",
        "tests/ops/test_backup_across_versions.py::test_a_pilots_backup_restores",
        "tests/households/test_api.py::test_detail",
        "tests/ops/test_backup.py::test_restore_without_a_file",
        "tests/households/test_api.py::test_update",
    ]
    workers = [_Worker("gw0"), _Worker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
        scheduler.add_node_collection(worker, collection)
    scheduler.schedule()

    backup = {0, 2, 4}
    first, second = (set(worker.sent) for worker in workers)
    assert first == backup  # the biggest unit first, whole, to one worker
    assert second and not second & backup  # the other worker runs tests of no group meanwhile


def test_every_grouped_path_exists_and_every_module_starting_a_worker_is_grouped():
    from pathlib import Path

    from tests.xdist_groups import XDIST_GROUPS, XDIST_MODULE_GROUPS, xdist_group

    root = Path(__file__).resolve().parents[2]
    listed = [path for paths in XDIST_GROUPS.values() for path in paths] + list(XDIST_MODULE_GROUPS)
    assert [path for path in listed if not (root / path).exists()] == []
    # A module that starts a Celery worker, alone on a worker of xdist, would start it once
    # per test it is handed and race the browsers for the CPU.
    starting = [
        path.relative_to(root).as_posix()
        for path in (root / "tests").rglob("test_*.py")
        if path.resolve() != Path(__file__).resolve()
        and "celery_worker" in (text := path.read_text())
        or "workers.start_worker(" in text
    ]
    assert starting and [path for path in starting if xdist_group(path) is None] == []
