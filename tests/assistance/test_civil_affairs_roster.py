"""Civil affairs' roster (民政名单) reconciled with ours: the three lists, a bad file refused whole
by row and column, the lines acted on, the pages, the export masked, an outsider refused."""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assistance.models import (
    Case,
    CivilAffairsReferral,
    CivilAffairsRoster,
    CivilAffairsRosterEntry,
    RosterOutcome,
    RosterSide,
)
from assistance.services import civil_affairs_roster as roster_services
from assistance.services.civil_affairs_roster import RosterRefused, RosterRow
from households import services as household_services
from households.models import Household, Layer, Member
from monitoring.models import Signal
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, client_for
from tests.idgen import make_id_number

HEAD = make_id_number("620423", "19680315", 1)  # the household fixture's head
SPOUSE = make_id_number("620423", "19700621", 2)
STRANGER = make_id_number("620423", "19550101", 7)  # registered nowhere
OTHER_HEAD = make_id_number("620423", "19750808", 3)  # the other township's household


def row(number: int, id_number, status="低保", since="2025-03-01", amount="650", region=""):
    return RosterRow(
        row=number,
        id_number=id_number,
        status=status,
        since=since,
        amount=amount,
        region_code=region,
    )


@pytest.fixture
def flagged(household):
    """The household's head receives dibao here; his wife is registered and not flagged."""
    Member.objects.filter(household=household, relation="head").update(dibao=True)
    return household


@pytest.fixture
def edge_household(township_cadre):
    """A dibao-edge household of the home village that civil affairs does not list."""
    created = household_services.household_create(
        actor=township_cadre, village_code=HOME_VILLAGE, poverty_status="ordinary"
    )
    household_services.member_create(
        actor=township_cadre,
        household_id=created.pk,
        name="赵兰芳",
        id_number=make_id_number("620423", "19620202", 4),
        relation="head",
        labour="weak",
        education="primary",
    )
    Household.objects.filter(pk=created.pk).update(layer=Layer.DIBAO_EDGE)
    return created


def imported(actor, rows, **extra) -> CivilAffairsRoster:
    return roster_services.roster_import(actor=actor, file_name="民政名单.xlsx", rows=rows, **extra)


def test_the_three_lists_of_a_roster(township_cadre, flagged, edge_household):
    roster = imported(
        township_cadre,
        [
            row(2, HEAD, status="特困", amount="900"),  # in both, status differs
            row(3, SPOUSE, status="低保"),  # registered here, not flagged
            row(4, STRANGER, status="低保边缘", amount=""),  # not registered
        ],
    )
    entries = {entry.id_number_masked: entry for entry in roster.entries.all()}
    both = entries[HEAD[:6] + "********" + HEAD[-4:]]
    assert (both.side, both.their_status, both.our_status, both.mismatch) == (
        RosterSide.BOTH,
        "tekun",
        "dibao",
        True,
    )
    assert both.amount == Decimal("900.00") and both.since == datetime.date(2025, 3, 1)
    assert both.household_id == flagged.pk
    spouse = entries[SPOUSE[:6] + "********" + SPOUSE[-4:]]
    assert spouse.side == RosterSide.THEIRS and spouse.member is not None
    stranger = entries[STRANGER[:6] + "********" + STRANGER[-4:]]
    assert stranger.side == RosterSide.THEIRS and stranger.member is None
    assert stranger.amount is None
    [ours] = [entry for entry in entries.values() if entry.side == RosterSide.OURS]
    assert ours.household_id == edge_household.pk and ours.our_status == "dibao_edge"
    assert ours.their_status == "" and ours.row is None
    roster.refresh_from_db()
    assert (roster.rows, roster.in_both, roster.mismatches) == (3, 1, 1)
    assert (roster.only_theirs, roster.only_ours) == (2, 1)
    # Nothing of the file in clear.
    assert not CivilAffairsRosterEntry.objects.filter(id_number_masked__in=[HEAD, SPOUSE]).exists()


def test_a_person_registered_in_another_township_is_only_theirs_and_unnamed(
    township_cadre, flagged, other_township_household
):
    """The oracle: an importer learns nothing of a registry outside their region."""
    Member.objects.filter(household=other_township_household).update(dibao=True)
    roster = imported(township_cadre, [row(2, OTHER_HEAD)])
    [theirs] = roster.entries.filter(side=RosterSide.THEIRS)
    assert theirs.member is None and theirs.household is None
    # Their flagged person is not in our township's "only ours" either.
    assert list(roster.entries.filter(side=RosterSide.OURS)) == [
        roster.entries.get(side=RosterSide.OURS)
    ]
    assert roster.entries.get(side=RosterSide.OURS).household_id == flagged.pk


def test_a_roster_row_of_another_region_is_left_out_and_counted(township_cadre, flagged):
    roster = imported(
        township_cadre,
        [row(2, HEAD, region=HOME_VILLAGE), row(3, OTHER_HEAD, region=OTHER_TOWNSHIP_VILLAGE)],
    )
    assert roster.outside_rows == 1 and roster.in_both == 1 and roster.only_theirs == 0


def test_a_bad_file_is_refused_whole_by_row_and_column(township_cadre, flagged):
    bad_check_digit = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")
    with pytest.raises(RosterRefused) as refused:
        imported(
            township_cadre,
            [
                row(2, HEAD),
                row(3, bad_check_digit),
                row(4, HEAD),
                row(5, STRANGER, status="五保"),
                row(6, SPOUSE, since="明年", amount="-3"),
            ],
            columns={
                "id_number": "身份证号码",
                "status": "救助类别",
                "since": "起始日期",
                "amount": "金额",
            },
        )
    problems = {(problem.row, problem.column) for problem in refused.value.problems}
    assert problems == {
        (3, "身份证号码"),
        (4, "身份证号码"),
        (5, "救助类别"),
        (6, "起始日期"),
        (6, "金额"),
    }
    messages = " ".join(problem.message for problem in refused.value.problems)
    assert "第 2 行" in messages and "五保" in messages
    assert not CivilAffairsRoster.objects.exists()
    assert not CivilAffairsRosterEntry.objects.exists()


def test_a_village_worker_and_an_auditor_may_not_import(village_worker, auditor, flagged):
    for user in (village_worker, auditor):
        with pytest.raises(PermissionDenied):
            imported(user, [row(2, HEAD)])
    assert not CivilAffairsRoster.objects.exists()


def test_a_region_outside_ones_own_is_refused(township_cadre, flagged):
    with pytest.raises(ValidationError):
        imported(township_cadre, [row(2, HEAD)], region_code=OTHER_TOWNSHIP_VILLAGE)
    assert not CivilAffairsRoster.objects.exists()


def test_a_line_noted_keeps_its_reason_and_is_not_acted_on_twice(township_cadre, flagged):
    roster = imported(township_cadre, [row(2, HEAD, status="特困")])
    entry = roster.entries.get(side=RosterSide.BOTH)
    roster_services.roster_entry_note(
        actor=township_cadre, entry=entry, version=entry.version, note="民政已调整为特困，待更新"
    )
    entry.refresh_from_db()
    assert entry.outcome == RosterOutcome.NOTED and entry.acted_by == township_cadre
    assert entry.events.count() == 2  # its history: created, acted on
    with pytest.raises(ValidationError):
        roster_services.roster_entry_note(
            actor=township_cadre, entry=entry, version=entry.version, note="再次"
        )


def test_a_case_proposed_for_a_person_only_in_ours_is_referred_to_civil_affairs(
    township_cadre, flagged
):
    roster = imported(township_cadre, [row(2, STRANGER)])
    entry = roster.entries.get(side=RosterSide.OURS)
    roster_services.roster_entry_propose_case(
        actor=township_cadre, entry=entry, version=entry.version, note="民政名单中没有，需复核"
    )
    entry.refresh_from_db()
    assert entry.outcome == RosterOutcome.CASE_PROPOSED
    case = Case.objects.get(household=flagged)
    assert entry.case_id == case.pk
    assert CivilAffairsReferral.objects.get(case=case).kind == "dibao"


def test_a_signal_is_raised_about_the_registered_person(township_cadre, flagged):
    roster = imported(township_cadre, [row(2, SPOUSE, status="低保", amount="650")])
    entry = roster.entries.get(side=RosterSide.THEIRS)
    roster_services.roster_entry_signal(actor=township_cadre, entry=entry, version=entry.version)
    entry.refresh_from_db()
    signal = Signal.objects.get(pk=entry.signal_id)
    assert (signal.source, signal.kind, signal.household_id) == (
        "civil_affairs",
        "assistance_granted",
        flagged.pk,
    )
    assert signal.id_number_masked == entry.id_number_masked
    assert signal.amount == Decimal("650.00")


def test_a_line_of_an_unregistered_person_has_no_case_or_signal(township_cadre, flagged):
    roster = imported(township_cadre, [row(2, STRANGER)])
    entry = roster.entries.get(side=RosterSide.THEIRS)
    with pytest.raises(ValidationError):
        roster_services.roster_entry_signal(
            actor=township_cadre, entry=entry, version=entry.version
        )
    with pytest.raises(ValidationError):
        roster_services.roster_entry_propose_case(
            actor=township_cadre, entry=entry, version=entry.version, note="核实"
        )
    assert CivilAffairsRosterEntry.objects.get(pk=entry.pk).outcome == RosterOutcome.OPEN


def test_an_outsider_may_not_act_on_a_line(township_cadre, other_township_cadre, flagged):
    roster = imported(township_cadre, [row(2, HEAD)])
    entry = roster.entries.get(side=RosterSide.BOTH)
    with pytest.raises(PermissionDenied):
        roster_services.roster_entry_note(
            actor=other_township_cadre, entry=entry, version=entry.version, note="不是我的"
        )
    assert CivilAffairsRosterEntry.objects.get(pk=entry.pk).outcome == RosterOutcome.OPEN


def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in rows:
        sheet.append(line)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def test_a_csv_roster_uploaded_is_reconciled_and_shown_masked(township_cadre, flagged):
    content = "姓名,公民身份号码,救助类别,保障起始日期,月保障金额\n"
    content += f"张建国,{HEAD},低保,2025-03-01,650\n李秀英,{SPOUSE},特困,2025/04/01,900\n"
    upload = SimpleUploadedFile("民政名单.csv", content.encode("gb18030"), "text/csv")
    client = client_for(township_cadre)
    response = client.post("/civil-affairs/rosters/import/", {"file": upload})
    roster = CivilAffairsRoster.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/civil-affairs/rosters/{roster.pk}/"
    assert (roster.in_both, roster.only_theirs, roster.only_ours) == (1, 1, 0)
    page = client.get(f"/civil-affairs/rosters/{roster.pk}/?list=theirs").content.decode()
    assert SPOUSE[:6] + "********" + SPOUSE[-4:] in page and "李秀英" in page
    assert HEAD not in page and SPOUSE not in page
    listed = client.get("/civil-affairs/rosters/").content.decode()
    assert "民政名单.csv" in listed
    api = client.get("/api/v1/civil-affairs-rosters/").json()
    assert api["results"][0]["in_both"] == 1 and api["results"][0]["only_theirs"] == 1
    lines = client.get(f"/api/v1/civil-affairs-rosters/{roster.pk}/lines/").json()["results"]
    assert {line["side"] for line in lines} == {"both", "theirs"}
    assert HEAD not in str(lines) and SPOUSE not in str(lines)


def test_a_bad_workbook_is_listed_by_row_and_column_and_nothing_is_written(township_cadre, flagged):
    bad_check_digit = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")
    content = _workbook(
        [
            ["身份证号码", "救助类别", "起始日期", "金额"],
            [HEAD, "低保", "2025-03-01", 650],
            [bad_check_digit, "低保", "2025-03-01", 650],
            [HEAD, "特困", "2025-03-01", 900],
            [STRANGER, "五保户", "2025-03-01", 650],
        ]
    )
    upload = SimpleUploadedFile("民政名单.xlsx", content)
    response = client_for(township_cadre).post("/civil-affairs/rosters/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    for row, column in ((3, "身份证号码"), (4, "身份证号码"), (5, "救助类别")):
        assert f'<td data-label="行">{row}</td>' in page.replace(
            "data-label='行'", 'data-label="行"'
        )
        assert column in page
    assert "五保户" in page and "校验位" in page
    assert HEAD not in page and bad_check_digit not in page
    assert not CivilAffairsRoster.objects.exists()
    assert not CivilAffairsRosterEntry.objects.exists()


def test_a_file_without_the_status_column_is_refused_with_its_name(township_cadre, flagged):
    content = _workbook([["身份证号码", "金额"], [HEAD, 650]])
    upload = SimpleUploadedFile("民政名单.xlsx", content)
    response = client_for(township_cadre).post("/civil-affairs/rosters/import/", {"file": upload})
    assert response.status_code == 200
    assert not CivilAffairsRoster.objects.exists()


def test_the_export_for_civil_affairs_is_masked_and_recorded(township_cadre, flagged):
    from audit.models import ExportEvent

    roster = imported(township_cadre, [row(2, HEAD, status="特困"), row(3, STRANGER)])
    response = client_for(township_cadre).post(f"/civil-affairs/rosters/{roster.pk}/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(BytesIO(response.content))
    cells = [
        str(value)
        for sheet in book.worksheets
        for line in sheet.iter_rows(values_only=True)
        for value in line
        if value is not None
    ]
    assert len(book.worksheets) == 3
    assert HEAD[:6] + "********" + HEAD[-4:] in cells
    assert not any(number in cell for cell in cells for number in (HEAD, STRANGER, SPOUSE))
    event = ExportEvent.objects.get(name="civil-affairs-roster")
    assert event.row_count == 2 and event.region_code == roster.region_id


def test_a_line_acted_on_through_the_page(township_cadre, flagged):
    roster = imported(township_cadre, [row(2, HEAD, status="特困")])
    entry = roster.entries.get(side=RosterSide.BOTH)
    response = client_for(township_cadre).post(
        f"/civil-affairs/rosters/lines/{entry.pk}/",
        {"action": "note", "note": "民政已调整，待更新", "version": entry.version},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.outcome == RosterOutcome.NOTED


def test_an_outsider_is_refused_the_roster(
    township_cadre, other_township_cadre, village_worker, flagged
):
    roster = imported(township_cadre, [row(2, HEAD)])
    entry = roster.entries.get()
    outsider = client_for(other_township_cadre)
    assert outsider.get(f"/civil-affairs/rosters/{roster.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/civil-affairs-rosters/{roster.pk}/").status_code == 404
    assert outsider.get("/api/v1/civil-affairs-rosters/").json()["results"] == []
    assert outsider.post(f"/civil-affairs/rosters/{roster.pk}/export.xlsx").status_code == 404
    assert (
        outsider.post(
            f"/civil-affairs/rosters/lines/{entry.pk}/",
            {"action": "note", "note": "不是我的", "version": entry.version},
        ).status_code
        == 404
    )
    worker = client_for(village_worker)
    assert worker.get("/civil-affairs/rosters/").status_code == 403
    assert worker.get("/civil-affairs/rosters/import/").status_code == 403
    assert CivilAffairsRosterEntry.objects.get(pk=entry.pk).outcome == RosterOutcome.OPEN


def test_a_roster_past_the_daily_allowance_of_look_ups_is_refused_whole(
    township_cadre, flagged, settings
):
    """Importing numbers tells which are registered: counted as the registry import's are."""
    settings.ID_IMPORT_ROWS_PER_DAY = 1
    with pytest.raises(RosterRefused) as refused:
        imported(township_cadre, [row(2, HEAD), row(3, SPOUSE)])
    assert refused.value.problems[0].row is None
    assert not CivilAffairsRoster.objects.exists()


def test_a_note_that_starts_like_a_formula_is_exported_as_text(township_cadre, flagged):
    # The file goes to civil affairs, who open it in Excel: a note never runs as a formula.
    from assistance.services.civil_affairs_roster import roster_entry_note

    roster = imported(township_cadre, [row(2, HEAD, status="特困")])
    entry = roster.entries.get(side=RosterSide.BOTH)
    roster_entry_note(
        actor=township_cadre,
        entry=entry,
        version=entry.version,
        note='=HYPERLINK("http://x","点我")',
    )
    response = client_for(township_cadre).post(f"/civil-affairs/rosters/{roster.pk}/export.xlsx")
    book = openpyxl.load_workbook(BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line]
    assert not any(cell.data_type == "f" for cell in cells)
    assert '\'=HYPERLINK("http://x","点我")' in [cell.value for cell in cells]
