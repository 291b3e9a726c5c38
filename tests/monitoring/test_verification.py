"""The home verification (入户核查) as a structured record: result, what was found, photos on the
same page, optionally the visit it was made on; through the page and the API alike."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from evidence.models import Evidence
from monitoring.models import Alert, AlertEvent, AlertVerification
from monitoring.services import alerts as alert_services
from tests.conftest import client_for
from tests.monitoring.conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }


def png(name="核查.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 120, 60)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def assigned(township_cadre, village_worker, household) -> Alert:
    alert = alert_services.self_report_record(
        actor=village_worker, household_id=household.pk, report="户主住院，务工收入中断"
    )
    return alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )


def test_the_verification_form_records_result_findings_visit_and_photo(
    village_worker, household, assigned
):
    visit = record(village_worker, household)
    client = client_for(village_worker)
    page = client.get(f"/alerts/{assigned.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for label in ("属实", "部分属实", "不属实", "核查发现", 'name="evidence-file"'):
        assert label in page
    done = client.post(
        f"/alerts/{assigned.pk}/verify/",
        {
            "version": assigned.version,
            "result": "partly",
            "findings": "住院属实，但已有医保报销",
            "visit": visit.pk,
            "evidence-file": png(),
        },
    )
    assert done.status_code == 302
    verification = AlertVerification.objects.get()
    assert (verification.result, verification.findings, verification.visit) == (
        "partly",
        "住院属实，但已有医保报销",
        visit,
    )
    assert Evidence.objects.get().owner_id == assigned.pk
    event = AlertEvent.objects.get(action="verify")
    assert event.data["result"] == "partly" and event.data["visit"] == visit.pk
    shown = client.get(f"/alerts/{assigned.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "部分属实" in shown and "住院属实，但已有医保报销" in shown


def test_findings_are_required_unless_found_true_and_nothing_is_kept_on_refusal(
    village_worker, assigned
):
    response = client_for(village_worker).post(
        f"/alerts/{assigned.pk}/verify/",
        {"version": assigned.version, "result": "false", "evidence-file": png()},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "请写明核查发现" in response.content.decode()
    assert not AlertVerification.objects.exists() and not Evidence.objects.exists()
    assigned.refresh_from_db()
    assert assigned.status == "assigned"


def test_a_visit_of_another_household_cannot_be_linked(
    village_worker, township_cadre, assigned, other_township_household, other_township_cadre
):
    other_visit = record(other_township_cadre, other_township_household)
    with pytest.raises(ValidationError) as refused:
        alert_services.alert_verify(
            actor=village_worker,
            alert=assigned,
            version=assigned.version,
            result="true",
            visit_id=other_visit.pk,
        )
    assert "visit" in refused.value.message_dict
    assert not AlertVerification.objects.exists()


def test_found_untrue_the_page_offers_the_dismissal_with_the_findings(
    village_worker, township_cadre, assigned
):
    alert_services.alert_verify(
        actor=village_worker,
        alert=assigned,
        version=assigned.version,
        result="false",
        findings="户主已出院并返岗务工",
    )
    page = client_for(township_cadre).get(f"/alerts/{assigned.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.context["found_untrue"]
    assert "户主已出院并返岗务工" in page.context["dismiss_form"].initial["reason"]
    assert "核查结果为不属实" in page.content.decode()
    # Still the cadre's decision: the warning waits, verified, to be confirmed or dismissed.
    assigned.refresh_from_db()
    assert assigned.status == "verifying"


def test_long_findings_are_cut_to_fit_the_dismissal_reason_and_the_prefill_is_accepted(
    village_worker, township_cadre, assigned
):
    findings = "户主已出院并返岗务工" * 190  # 1,900 characters
    assert len(findings) == 1900
    alert_services.alert_verify(
        actor=village_worker,
        alert=assigned,
        version=assigned.version,
        result="false",
        findings=findings,
    )
    client = client_for(township_cadre)
    page = client.get(f"/alerts/{assigned.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    reason = page.context["dismiss_form"].initial["reason"]
    assert len(reason) == 500 and reason.startswith("入户核查不属实：户主已出院并返岗务工")
    # The page's own prefill, sent back as it is, dismisses the warning.
    assigned.refresh_from_db()
    response = client.post(
        f"/alerts/{assigned.pk}/dismiss/",
        {"reason": reason, "version": assigned.version},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == "dismissed"


def test_the_api_records_a_verification_and_refuses_a_bad_one(village_worker, assigned):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(village_worker)
    url = f"/api/v1/alerts/{assigned.pk}/verify/"
    bad = api.post(url, {"version": assigned.version, "result": "maybe"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "result"
    untold = api.post(url, {"version": assigned.version, "result": "false"}, format="json")
    assert untold.status_code == 400 and untold.json()["errors"][0]["attr"] == "findings"
    done = api.post(
        url,
        {"version": assigned.version, "result": "false", "findings": "已返岗"},
        format="json",
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "verifying"
    assert [(v["result"], v["findings"]) for v in body["verifications"]] == [("false", "已返岗")]


def test_an_outsider_cannot_verify(other_township_cadre, assigned):
    api = APIClient()
    api.force_authenticate(other_township_cadre)
    response = api.post(
        f"/api/v1/alerts/{assigned.pk}/verify/",
        {"version": assigned.version, "result": "true"},
        format="json",
    )
    assert response.status_code == 404
    assert not AlertVerification.objects.exists()
