"""The cadres' side: the reports of their region, accepted and decided; outsiders refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Alert, AlertSource
from self_reports.models import SelfReport, SelfReportStatus
from tests.conftest import HOME_VILLAGE, OTHER_TOWNSHIP_VILLAGE, client_for
from worklist.selectors import tasks_for

pytestmark = pytest.mark.django_db


def a_report(village: str = HOME_VILLAGE, *, due: datetime.date | None = None, **fields):
    number = SelfReport.objects.count() + 1
    return SelfReport.objects.create(
        village_id=village,
        name=fields.pop("name", "赵小明"),
        phone="13912345678",
        id_number_hash=f"hash-{number}",
        id_number_masked="620423********4321",
        hardship="illness",
        account="父亲住院，自付费用四万元。",
        consent_version="2026-1",
        consented_at=timezone.now(),
        query_code_hash=f"query-{number}",
        received_at=timezone.now(),
        acceptance_due=due or timezone.localdate() + datetime.timedelta(days=3),
        **fields,
    )


def test_the_list_shows_the_region_s_reports_overdue_first_and_phones_masked(
    township_cadre, other_township_cadre
):
    later = a_report(name="钱后来")
    overdue = a_report(name="孙逾期", due=timezone.localdate() - datetime.timedelta(days=2))
    decided = a_report(name="李已办", status=SelfReportStatus.DECIDED, decided_note="已核实")
    elsewhere = a_report(OTHER_TOWNSHIP_VILLAGE, name="周别处")
    body = client_for(township_cadre).get(reverse("own-report-list")).content.decode()
    assert body.index(overdue.name) < body.index(later.name) < body.index(decided.name)
    assert elsewhere.name not in body
    assert "13912345678" not in body
    other = client_for(other_township_cadre).get(reverse("own-report-list")).content.decode()
    assert elsewhere.name in other and overdue.name not in other


def test_the_detail_shows_the_phone_and_id_number_masked(village_worker):
    report = a_report()
    response = client_for(village_worker).get(reverse("own-report-detail", args=[report.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "139****5678" in body and "13912345678" not in body
    assert "620423********4321" in body


def test_an_outsider_is_refused_on_every_cadre_page(other_township_cadre, partner, auditor):
    report = a_report()
    for user in (other_township_cadre, partner):
        client = client_for(user)
        assert client.get(reverse("own-report-detail", args=[report.pk])).status_code in (403, 404)
        response = client.post(
            reverse("own-report-accept", args=[report.pk]), {"version": report.version}
        )
        assert response.status_code in (403, 404)
        response = client.post(
            reverse("own-report-decide", args=[report.pk]), {"version": 1, "note": "不符合"}
        )
        assert response.status_code in (403, 404)
        poster = client.get(reverse("own-report-poster", args=[HOME_VILLAGE]))
        assert poster.status_code in (403, 404)
    # The auditor reads and never answers.
    auditor_client = client_for(auditor)
    assert auditor_client.get(reverse("own-report-detail", args=[report.pk])).status_code == 200
    response = auditor_client.post(
        reverse("own-report-accept", args=[report.pk]), {"version": report.version}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == SelfReportStatus.RECEIVED and report.version == 1


def test_accepting_with_a_household_number_links_it_and_opens_its_warning(
    household, village_worker
):
    report = a_report()
    response = client_for(village_worker).post(
        reverse("own-report-accept", args=[report.pk]),
        {"version": report.version, "household_number": household.number},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == SelfReportStatus.CHECKING
    assert report.household_id == household.pk and report.accepted_by == village_worker
    alert = Alert.objects.get(household=household)
    assert report.alert_id == alert.pk and alert.source == AlertSource.SELF_REPORT


def test_accepting_with_an_unknown_household_number_changes_nothing(village_worker):
    report = a_report()
    response = client_for(village_worker).post(
        reverse("own-report-accept", args=[report.pk]),
        {"version": report.version, "household_number": "999999999999"},
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == SelfReportStatus.RECEIVED and report.household is None


def test_a_stale_version_is_an_edit_conflict(township_cadre):
    report = a_report()
    response = client_for(township_cadre).post(
        reverse("own-report-decide", args=[report.pk]), {"version": 7, "note": "不符合条件"}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == SelfReportStatus.RECEIVED


def test_deciding_closes_the_report_with_its_note(township_cadre):
    report = a_report()
    client = client_for(township_cadre)
    client.post(reverse("own-report-accept", args=[report.pk]), {"version": 1})
    response = client.post(
        reverse("own-report-decide", args=[report.pk]), {"version": 2, "note": "已纳入监测"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.decided_note, report.version) == ("decided", "已纳入监测", 3)
    again = client.post(
        reverse("own-report-decide", args=[report.pk]), {"version": 3, "note": "再次"}
    )
    assert again.status_code == 400


def test_the_poster_holds_a_qr_code_of_the_village_page(village_worker):
    response = client_for(village_worker).get(reverse("own-report-poster", args=[HOME_VILLAGE]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and f"/report/{HOME_VILLAGE}/" in body


def test_a_report_waits_on_the_task_list_until_accepted(
    village_worker, township_cadre, other_township_cadre, county_officer, auditor
):
    report = a_report(due=timezone.localdate() - datetime.timedelta(days=1))
    [task] = [t for t in tasks_for(village_worker) if t.kind == "self_report_accept"]
    assert task.overdue and task.url == reverse("own-report-detail", args=[report.pk])
    assert "赵小明" in task.subject
    assert "self_report_accept" in [t.kind for t in tasks_for(township_cadre)]
    for outsider in (other_township_cadre, county_officer, auditor):
        assert "self_report_accept" not in [t.kind for t in tasks_for(outsider)]
    client_for(village_worker).post(reverse("own-report-accept", args=[report.pk]), {"version": 1})
    assert "self_report_accept" not in [t.kind for t in tasks_for(village_worker)]
