"""The registry import writes in bulk: existing and new households in one file, a history row
for every write it makes and none for rows it leaves alone, and a number of statements that
does not grow with the rows."""

import pghistory.models
import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from households.models import Household, Member, PovertyStatus
from spreadsheets import resources
from spreadsheets.services import registry_import
from tests.conftest import HOME_VILLAGE
from tests.idgen import make_id_number
from tests.spreadsheets.books import good_rows, member_row, workbook

pytestmark = pytest.mark.django_db


def _import(actor, rows):
    report = registry_import(actor=actor, content=workbook(rows), dry_run=False)
    assert report.ok, report.problems
    return report


def _households_of_two(count: int, *, first: int) -> list[dict]:
    rows = []
    for household in range(first, first + count):
        number = f"62042310020{household:05d}"
        for relation, sequence in (("户主", 2 * household), ("配偶", 2 * household + 1)):
            rows.append(
                member_row(
                    number,
                    HOME_VILLAGE,
                    f"村民{sequence}",
                    make_id_number("620423", f"19{60 + sequence // 900:02d}0101", sequence % 900),
                    relation,
                )
            )
    return rows


def _events(model: str, label: str):
    return pghistory.models.Events.objects.filter(pgh_obj_model=model, pgh_label=label)


def test_a_file_of_existing_and_new_households_imports_in_bulk(township_cadre):
    _import(township_cadre, good_rows())
    rows = good_rows()
    for row in rows[:2]:
        row["address"] = "水源村2社"  # the first household moved; the second is as it was
    rows += _households_of_two(1, first=500)

    report = _import(township_cadre, rows)

    assert (report.households.new, report.households.changed, report.households.unchanged) == (
        1,
        1,
        1,
    )
    assert (report.members.new, report.members.changed, report.members.unchanged) == (2, 0, 3)
    moved = Household.objects.get(number="6204231002000101")
    assert (moved.address, moved.version, moved.member_count) == ("水源村2社", 2, 2)
    assert Household.objects.get(number="6204231002010102").version == 1
    new = Household.objects.get(number="6204231002000500")
    assert (new.head_name, new.member_count) == ("村民1000", 2)
    assert Member.objects.filter(household=new).count() == 2


def test_every_write_of_an_import_leaves_a_history_row_with_its_user(township_cadre):
    _import(township_cadre, good_rows())
    assert _events("households.Household", "insert").count() == 2
    assert _events("households.Member", "insert").count() == 3
    assert {event.pgh_context["user"] for event in _events("households.Member", "insert")} == {
        township_cadre.pk
    }

    rows = good_rows()
    rows[1]["dibao"] = "是"
    _import(township_cadre, rows)

    updates = _events("households.Member", "update")
    assert updates.count() == 1
    update = updates.get()
    assert update.pgh_diff["dibao"] == [False, True]
    assert update.pgh_context["user"] == township_cadre.pk


def test_an_unchanged_file_leaves_no_history_and_no_new_versions(township_cadre):
    rows = _households_of_two(5, first=0)
    _import(township_cadre, rows)
    events = pghistory.models.Events.objects.count()
    versions = sorted(Member.objects.values_list("id", "version"))

    report = _import(township_cadre, rows)

    assert report.members.unchanged == 10 and not report.changes_anything
    assert pghistory.models.Events.objects.count() == events
    assert sorted(Member.objects.values_list("id", "version")) == versions


def test_the_statements_of_an_import_do_not_grow_with_its_rows(township_cadre):
    def statements(rows):
        with CaptureQueriesContext(connection) as queries:
            _import(township_cadre, rows)
        return len(queries.captured_queries)

    small = statements(_households_of_two(10, first=0))
    large = statements(_households_of_two(100, first=100))
    assert large - small <= 4, (small, large)

    # The same files again: every household and member found, none written.
    again_small = statements(_households_of_two(10, first=0))
    again_large = statements(_households_of_two(100, first=100))
    assert again_large - again_small <= 4, (again_small, again_large)


def test_an_import_of_200_rows_keeps_to_its_statements(
    township_cadre, django_assert_max_num_queries
):
    """The registry's rules (households/registry_rules.py) are asked for the whole file at once:
    200 new rows, then the same 200 unchanged, in no more statements than when the import kept
    its own copies of the rules (32 and 24), one for those recorded as deceased, who are not
    registered again (`registry_rules.deceased_people`), included; the new households are
    written with their cached facts, not updated after their members (30 in all)."""
    rows = _households_of_two(100, first=0)
    with django_assert_max_num_queries(30):
        _import(township_cadre, rows)
    with django_assert_max_num_queries(24):
        _import(township_cadre, rows)


REGISTERED_MEANWHILE = (
    "Some of these households or people were registered by someone else meanwhile: "
    "nothing was saved. Run the import again."
)


def _import_with_a_registration_meanwhile(monkeypatch, actor, rows, model, register):
    """Import `rows`, `register` writing a conflicting `model` row just before its COPY; return
    the report and the models whose COPY the database refused."""
    copy = resources.pgbulk.copy
    refused = []

    def registered_meanwhile(queryset, instances, *args, **kwargs):
        if queryset.model is model:
            register(instances[0])
        try:
            return copy(queryset, instances, *args, **kwargs)
        except psycopg.errors.UniqueViolation:
            refused.append(queryset.model)
            raise

    monkeypatch.setattr(resources.pgbulk, "copy", registered_meanwhile)
    with translation.override("en"):
        report = registry_import(actor=actor, content=workbook(rows), dry_run=False)
    return report, refused


def test_a_household_registered_meanwhile_refuses_the_file_and_saves_nothing(
    township_cadre, monkeypatch
):
    """Someone registers one of the file's households between the import's look-up of the
    file's numbers and its COPY of the new ones: the database's unique number refuses the COPY,
    and the import says so in the person's words, saves nothing and does not fail."""

    def register(new):
        Household.objects.create(
            number=new.number, village_id=HOME_VILLAGE, poverty_status=PovertyStatus.ORDINARY
        )

    report, refused = _import_with_a_registration_meanwhile(
        monkeypatch, township_cadre, _households_of_two(3, first=0), Household, register
    )

    assert refused == [Household]  # the COPY itself was refused
    assert [problem.message for problem in report.problems] == [REGISTERED_MEANWHILE]
    assert not Household.objects.exists() and not Member.objects.exists()


def test_a_person_registered_meanwhile_refuses_the_file_and_saves_nothing(
    township_cadre, household, monkeypatch
):
    """The same for a member: a person of the file registered meanwhile in another household."""

    def register(person):
        Member.objects.create(
            household=household,
            name=person.name,
            relation=Member.Relation.CHILD,
            id_number_encrypted=person.id_number_encrypted,
            id_number_hash=person.id_number_hash,
            id_number_masked=person.id_number_masked,
            sex=person.sex,
            birth_date=person.birth_date,
        )

    households, members = Household.objects.count(), Member.objects.count()
    report, refused = _import_with_a_registration_meanwhile(
        monkeypatch, township_cadre, _households_of_two(2, first=10), Member, register
    )

    assert refused == [Member]
    assert [problem.message for problem in report.problems] == [REGISTERED_MEANWHILE]
    assert (Household.objects.count(), Member.objects.count()) == (households, members)
