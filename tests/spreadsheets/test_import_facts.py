"""The import writes each new household once, with the facts it caches from its members and its
request to be judged, rather than writing it again once its members are in
(registry_rules.cached_facts_of_new_household): the facts must be what the registry's own
definition (`registry_rules.cached_facts`) gives for the members as stored."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import queueing
from households import registry_rules
from households.models import Household
from monitoring import scans
from spreadsheets.services import registry_import
from tests.conftest import HOME_VILLAGE
from tests.idgen import make_id_number
from tests.spreadsheets.books import good_rows, member_row, workbook

pytestmark = pytest.mark.django_db

FACTS = ("head_name", "member_count", "income_sharers")


def _row(number: str, name: str, sequence: int, relation: str = "子女", **cells) -> dict:
    id_number = make_id_number("620423", f"19{70 + sequence // 900:02d}0101", sequence % 900)
    return member_row(number, HOME_VILLAGE, name, id_number, relation, **cells)


def _households_of_every_shape() -> list[dict]:
    return [
        # A head, a spouse and a child at home.
        _row("6204231002000301", "孙一", 301, "户主"),
        _row("6204231002000301", "孙二", 302, "配偶"),
        _row("6204231002000301", "孙三", 303),
        # The first head row moved out; the one at home is the head.
        _row("6204231002000302", "李老", 304, "户主", status="已迁出"),
        _row("6204231002000302", "李新", 305, "户主"),
        _row("6204231002000302", "李妻", 306, "配偶", status="已故"),
        # No head at all.
        _row("6204231002000303", "周一", 307, "配偶"),
        # Nobody living here any more.
        _row("6204231002000304", "吴一", 308, "户主", status="已迁出"),
        _row("6204231002000304", "吴二", 309, "配偶", status="已故"),
    ]


def _queued(monkeypatch) -> list[str]:
    """The names of the tasks sent to the broker from now on."""
    queued: list[str] = []
    monkeypatch.setattr(
        queueing.current_app, "send_task", lambda name, **kwargs: queued.append(name)
    )
    return queued


def _stored_and_defined(numbers: list[str]) -> tuple[dict, dict]:
    """The households' facts as stored, and as `cached_facts` works them out from the members
    now stored."""
    households = Household.objects.filter(number__in=numbers).order_by()
    stored = {row.pop("number"): row for row in households.values("number", *FACTS)}
    defined = households.annotate(
        **{
            f"defined_{name}": expression
            for name, expression in registry_rules.cached_facts().items()
        }
    )
    defined_rows = defined.values("number", *(f"defined_{name}" for name in FACTS))
    return stored, {
        row["number"]: {name: row[f"defined_{name}"] for name in FACTS} for row in defined_rows
    }


def test_new_households_are_written_with_the_facts_the_registry_defines(township_cadre):
    rows = _households_of_every_shape()

    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)

    assert report.ok, report.problems
    numbers = sorted({row["number"] for row in rows})
    stored, defined = _stored_and_defined(numbers)
    assert stored == defined
    # And the cases are what they say: the active head, only people living here counted.
    assert [stored[number]["head_name"] for number in numbers] == ["孙一", "李新", "", ""]
    assert [stored[number]["member_count"] for number in numbers] == [3, 1, 1, 0]


def test_new_households_are_written_once_and_each_queued_for_evaluation(
    township_cadre, monkeypatch, django_capture_on_commit_callbacks
):
    queued = _queued(monkeypatch)
    content = workbook(_households_of_every_shape())

    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        report = registry_import(actor=township_cadre, content=content, dry_run=False)

    assert report.households.new == 4
    # No second write of the new rows: the history does not show one (it leaves the cached
    # facts out), the statements do.
    assert not [query for query in queries if 'UPDATE "households_household"' in query["sql"]]
    assert not Household.objects.filter(evaluation_pending_since=None).exists()
    # A small file: a task each on the interactive queue, as a registry page's change.
    assert queued == [queueing.EVALUATE_HOUSEHOLD] * 4


def test_a_large_file_of_new_households_is_judged_by_one_sweep(
    township_cadre, monkeypatch, django_capture_on_commit_callbacks
):
    """More new households than a batch of the import's writes (1,000): every batch is written
    with its facts, one sweep is queued, and the sweep judges them all."""
    queued = _queued(monkeypatch)
    rows = [
        _row(f"62042310020{1000 + index:05d}", f"户主{index}", index, "户主")
        for index in range(1_001)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)

    assert report.ok and report.households.new == 1_001
    assert queued == [queueing.EVALUATE_PENDING]
    stored, defined = _stored_and_defined([row["number"] for row in rows])
    assert stored == defined
    assert scans.evaluate_pending().judged == 1_001
    assert not Household.objects.exclude(evaluation_pending_since=None).exists()


def test_labels_codes_and_invisible_characters_give_the_facts_as_stored(township_cadre):
    """The facts are worked out through the import's own widgets: a relation or status written
    in English or as its code, a blank status, a name with an invisible character, and the
    household number typed as a number on one row."""
    rows = [
        _row("6204231002000305", "郑\u200b一", 311, "Head of household", status=""),
        _row("6204231002000305", "郑二", 312, "spouse", status="Living in the household"),
        _row("6204231002000305", "郑三", 313, "Child", status="deceased"),
        _row("6204231002000306", "王一", 314, "head", status="moved_out"),
    ]
    rows[1]["number"] = 6204231002000305  # Excel kept this one as a number

    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)

    assert report.ok, report.problems
    stored, defined = _stored_and_defined(["6204231002000305", "6204231002000306"])
    assert stored == defined
    assert stored["6204231002000305"] == {
        "head_name": "郑一",
        "member_count": 2,
        "income_sharers": 2,
    }
    assert stored["6204231002000306"]["member_count"] == 0


def test_a_file_adding_people_to_a_stored_household_refreshes_its_facts(township_cadre):
    """A stored household still has its facts refreshed from the members as stored: the file
    does not hold every member of it."""
    assert registry_import(actor=township_cadre, content=workbook(good_rows()), dry_run=False).ok
    stored_number = good_rows()[0]["number"]
    rows = [
        *good_rows(),
        _row(stored_number, "赵小", 310),
        *_households_of_every_shape()[:3],
    ]

    report = registry_import(actor=township_cadre, content=workbook(rows), dry_run=False)

    assert report.ok, report.problems
    assert (report.households.new, report.members.new) == (1, 4)
    numbers = sorted({row["number"] for row in rows})
    stored, defined = _stored_and_defined(numbers)
    assert stored == defined
    assert stored[stored_number]["member_count"] == 3


def test_a_dry_run_queues_nothing(township_cadre, monkeypatch, django_capture_on_commit_callbacks):
    queued = _queued(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        report = registry_import(
            actor=township_cadre, content=workbook(_households_of_every_shape()), dry_run=True
        )

    assert report.ok and report.households.new == 4
    assert queued == [] and not Household.objects.exists()
