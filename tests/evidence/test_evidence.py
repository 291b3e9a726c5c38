"""Files attached to visits, home verifications, case steps and deliveries: who may attach and
see them, what is refused, what is stored, and that every download is recorded."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assistance.models import CaseStep, Measure, MeasureKind
from audit.models import ExportEvent, ExportKind
from evidence import services
from evidence.models import Evidence
from monitoring.models import Visit
from tests.conftest import client_for
from tests.evidence.conftest import exe, jpeg, pdf, stored_files

JINGTAI = (37.183333, 104.066667)


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def attach(actor, kind, owner_id, upload, **extra) -> Evidence:
    return services.evidence_attach(
        actor=actor, owner_kind_key=kind, owner_id=owner_id, upload=upload, **extra
    )


def owners(confirmed_alert, case, measure) -> dict:
    visit = Visit.objects.filter(household=confirmed_alert.household).first()
    return {
        "visit": visit.pk,
        "alert": confirmed_alert.pk,
        "case_step": CaseStep.objects.filter(case=case).order_by("position").first().pk,
        "measure": measure.pk,
    }


# Upload and download, by owner kind -------------------------------------------------------


@pytest.mark.parametrize("kind", ["visit", "alert", "case_step", "measure"])
def test_a_file_is_attached_through_the_api_and_downloaded_with_an_audit_record(
    kind, confirmed_alert, case, measure, township_cadre
):
    owner_id = owners(confirmed_alert, case, measure)[kind]
    url = f"/api/v1/evidence/{kind}/{owner_id}/"
    response = api(township_cadre).post(
        url, {"file": pdf(), "description": "签字的承诺授权书"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "application/pdf"
    assert body["description"] == "签字的承诺授权书"

    listed = api(township_cadre).get(url).json()["results"]
    assert [item["id"] for item in listed] == [body["id"]]

    download = api(township_cadre).get(f"/api/v1/evidence/{body['id']}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "attachment" in download["Content-Disposition"]
    assert "minutes" not in download["Content-Disposition"]  # never the client's name
    record = ExportEvent.objects.get(kind=ExportKind.EVIDENCE)
    assert record.user == township_cadre
    assert record.household_number == case.household.number
    assert record.region_code == case.household.village_id


def test_the_case_page_offers_the_upload_and_its_download_is_recorded(
    case, village_worker, township_cadre
):
    client = client_for(village_worker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'accept="image/*,application/pdf"' in page
    assert 'enctype="multipart/form-data"' in page
    step = case.steps.get(kind="consent")
    response = client.post(
        f"/cases/{case.pk}/steps/consent/",
        {
            "version": case.version,
            "decision": "approved",
            "comment": "户主签字",
            "evidence-file": jpeg(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = Evidence.objects.get()
    assert (evidence.owner_kind, evidence.owner_id) == ("case_step", step.pk)
    page = client_for(township_cadre).get(f"/cases/{case.pk}/").content.decode()
    assert f"/evidence/{evidence.pk}/" in page
    download = client_for(township_cadre).get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    # Shown, but as a sandboxed document of its own, and never cached on a shared computer.
    assert "sandbox" in download["Content-Security-Policy"]
    assert "no-store" in download["Cache-Control"]
    assert ExportEvent.objects.filter(kind=ExportKind.EVIDENCE).count() == 1


def test_a_delivery_receipt_comes_with_the_delivery_form(measure, partner):
    client = client_for(partner)
    page = client.get(f"/measures/{measure.pk}/").content.decode()
    assert 'name="evidence-file"' in page
    response = client.post(
        f"/measures/{measure.pk}/",
        {
            "version": measure.version,
            "status": "in_progress",
            "actual_start": measure.planned_start.isoformat(),
            "evidence-file": jpeg(),
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Evidence.objects.get().owner_kind == "measure"


def test_the_verification_form_takes_a_photo_and_a_bad_one_refuses_the_verification(
    household, village_worker, township_cadre, clock
):
    from households.models import Household
    from monitoring.engine.evaluation import evaluate_households
    from monitoring.models import Alert
    from monitoring.services import alerts as alert_services
    from tests.assistance.conftest import visit

    visit(village_worker, household, on=clock.today(), per_person=Decimal("2500"))
    evaluate_households(Household.objects.filter(pk=household.pk), as_of=clock.today())
    alert = Alert.objects.get(household=household)
    alert = alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )
    client = client_for(village_worker)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'capture="environment"' in page
    url = f"/alerts/{alert.pk}/verify/"
    refused = client.post(url, {"version": alert.version, "result": "true", "evidence-file": exe()})
    assert refused.status_code == 400
    assert "JPEG" in refused.content.decode()
    alert.refresh_from_db()
    assert alert.status == "assigned" and not Evidence.objects.exists()
    done = client.post(url, {"version": alert.version, "result": "true", "evidence-file": jpeg()})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "verifying"
    assert Evidence.objects.get().owner_id == alert.pk


def test_the_visit_form_takes_a_photo(household, village_worker, clock):
    import uuid

    from tests.monitoring.conftest import visit_figures

    client = client_for(village_worker)
    page = client.get(f"/visits/new/?household={household.pk}").content.decode()
    assert 'name="evidence-file"' in page
    data = {
        **{k: str(v) for k, v in visit_figures(visited_on=clock.today()).items()},
        "household": household.pk,
        "client_uuid": str(uuid.uuid4()),
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "evidence-file": jpeg(),
    }
    response = client.post("/visits/new/", data)
    assert response.status_code == 302, [
        response.context["form"].errors,
        response.context["attachment"].errors,
    ]
    visit = Visit.objects.get(household=household)
    assert Evidence.objects.get().owner_id == visit.pk


def test_a_photo_sent_with_a_refused_visit_is_asked_for_again(household, village_worker, clock):
    import uuid

    from tests.monitoring.conftest import visit_figures

    data = {
        **{k: str(v) for k, v in visit_figures(visited_on=clock.today()).items()},
        "household_size": "0",  # refused
        "household": household.pk,
        "client_uuid": str(uuid.uuid4()),
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "evidence-file": jpeg(),
    }
    page = client_for(village_worker).post("/visits/new/", data).content.decode()
    # A browser never fills a file input back in: the page says so beside it.
    assert "选择的文件没有保存" in page
    assert not Visit.objects.exists() and not Evidence.objects.exists()


# Who may see and attach ---------------------------------------------------------------------


def test_an_outsider_is_refused_on_the_page_and_the_api(case, township_cadre, other_county_officer):
    step = case.steps.get(kind="consent")
    evidence = attach(township_cadre, "case_step", step.pk, pdf())
    outsider = other_county_officer
    assert api(outsider).get(f"/api/v1/evidence/case_step/{step.pk}/").status_code == 404
    assert api(outsider).get(f"/api/v1/evidence/{evidence.pk}/file/").status_code == 404
    posted = api(outsider).post(
        f"/api/v1/evidence/case_step/{step.pk}/", {"file": pdf()}, format="multipart"
    )
    assert posted.status_code == 404
    assert client_for(outsider).get(f"/evidence/{evidence.pk}/").status_code == 404
    page = client_for(outsider).post(f"/evidence/case_step/{step.pk}/attach/", {"file": pdf()})
    assert page.status_code == 404
    assert Evidence.objects.count() == 1
    assert not ExportEvent.objects.filter(kind=ExportKind.EVIDENCE).exists()


def test_the_service_refuses_an_owner_outside_the_region_or_missing(
    case, other_county_officer, township_cadre, storage_folder
):
    step = case.steps.get(kind="consent")
    with pytest.raises(ValidationError) as outside:
        attach(other_county_officer, "case_step", step.pk, pdf())
    assert "您的辖区内没有这条记录。" in str(outside.value)
    with pytest.raises(ValidationError):
        attach(township_cadre, "case_step", 10**12, pdf())
    with pytest.raises(ValidationError):
        attach(township_cadre, "rocket", step.pk, pdf())
    assert not Evidence.objects.exists() and stored_files(storage_folder) == []


def test_a_partner_sees_its_own_receipts_and_not_another_partners(
    case, measure, partner, other_partner, township_cadre
):
    from tests.conftest import _user

    others = Measure.objects.create(
        case=case,
        kind=MeasureKind.values[0],
        title="临时救助",
        partner=other_partner,
        responsible=township_cadre,
        planned_start=case.proposed_on,
        created_by=township_cadre,
    )
    theirs = attach(township_cadre, "measure", others.pk, jpeg(gps=JINGTAI))
    mine = attach(partner, "measure", measure.pk, jpeg(gps=JINGTAI))
    client = api(partner)
    assert client.get(f"/api/v1/evidence/{theirs.pk}/file/").status_code == 404
    assert client.get(f"/api/v1/evidence/measure/{others.pk}/").status_code == 404
    assert client_for(partner).get(f"/evidence/{theirs.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/evidence/measure/{others.pk}/", {"file": pdf()}, format="multipart"
        ).status_code
        == 404
    )
    listed = client.get(f"/api/v1/evidence/measure/{measure.pk}/").json()["results"]
    assert [item["id"] for item in listed] == [mine.pk]
    # Where the photo was taken is not a partner's to see.
    assert listed[0]["latitude"] is None and listed[0]["longitude"] is None
    assert client.get(f"/api/v1/evidence/{mine.pk}/file/").status_code == 200
    # Nor the steps of the case.
    step = case.steps.get(kind="proposal")
    assert client.get(f"/api/v1/evidence/case_step/{step.pk}/").status_code in (403, 404)
    other_user = _user("other_partner_user", "partner", "620423000000", partner=other_partner)
    assert api(other_user).get(f"/api/v1/evidence/{mine.pk}/file/").status_code == 404


def test_an_auditor_sees_every_steps_evidence_but_attaches_none(case, township_cadre, auditor):
    step = case.steps.get(kind="proposal")
    evidence = attach(township_cadre, "case_step", step.pk, jpeg(gps=JINGTAI))
    listed = api(auditor).get(f"/api/v1/evidence/case_step/{step.pk}/").json()["results"]
    assert listed[0]["latitude"] == "37.183333"
    assert api(auditor).get(f"/api/v1/evidence/{evidence.pk}/file/").status_code == 200
    refused = api(auditor).post(
        f"/api/v1/evidence/case_step/{step.pk}/", {"file": pdf()}, format="multipart"
    )
    assert refused.status_code == 403
    with pytest.raises(PermissionDenied):
        attach(auditor, "case_step", step.pk, pdf())
    assert Evidence.objects.count() == 1


# What is stored ----------------------------------------------------------------------------


def test_the_location_is_taken_out_of_the_photo_and_kept_in_its_fields(
    case, township_cadre, storage_folder
):
    step = case.steps.get(kind="proposal")
    evidence = attach(township_cadre, "case_step", step.pk, jpeg(gps=JINGTAI))
    assert (evidence.latitude, evidence.longitude) == (Decimal("37.183333"), Decimal("104.066667"))
    [path] = stored_files(storage_folder)
    assert path.suffix == ".jpg" and "photo" not in path.name
    stored = path.read_bytes()
    assert b"DixianCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(0x8825) and 0x010F not in exif


def test_a_photo_without_location_has_none(case, township_cadre):
    step = case.steps.get(kind="proposal")
    evidence = attach(township_cadre, "case_step", step.pk, jpeg())
    assert evidence.latitude is None and evidence.longitude is None


# Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (exe(), "只能上传照片（JPEG、PNG、WebP）或 PDF 文件。"),
        (SimpleUploadedFile("a.pdf", b"%PDF-1.4 no end", "application/pdf"), "PDF 文件已损坏"),
        (
            SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "image/jpeg"),
            "照片已损坏",
        ),
        (SimpleUploadedFile("a.html", b"<html><script>1</script>", "image/png"), "只能上传照片"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(
    upload, message, case, township_cadre, storage_folder
):
    step = case.steps.get(kind="proposal")
    response = api(township_cadre).post(
        f"/api/v1/evidence/case_step/{step.pk}/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(storage_folder) == []


def test_a_file_too_big_or_empty_is_refused_in_chinese(
    case, township_cadre, storage_folder, settings
):
    settings.EVIDENCE_MAX_BYTES = 1024
    step = case.steps.get(kind="proposal")
    url = f"/api/v1/evidence/case_step/{step.pk}/"
    client = api(township_cadre)
    big = client.post(
        url, {"file": jpeg(size=(400, 400))}, format="multipart", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert big.status_code == 400
    assert "文件超过" in big.content.decode()
    empty = client.post(
        url, {"file": SimpleUploadedFile("a.jpg", b"", "image/jpeg")}, format="multipart"
    )
    assert empty.status_code == 400
    none = client.post(url, {"description": "x"}, format="multipart")
    assert none.status_code == 400
    assert not Evidence.objects.exists() and stored_files(storage_folder) == []


def test_the_page_upload_shows_the_refusal_and_stores_nothing(case, township_cadre, storage_folder):
    step = case.steps.get(kind="proposal")
    client = client_for(township_cadre)
    response = client.post(
        f"/evidence/case_step/{step.pk}/attach/",
        {"file": exe(), "next": f"/cases/{case.pk}/"},
        follow=True,
    )
    assert response.status_code == 200
    assert "只能上传照片（JPEG、PNG、WebP）或 PDF 文件。" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(storage_folder) == []


def test_a_row_that_fails_to_save_takes_its_file_with_it(
    case, township_cadre, storage_folder, monkeypatch
):
    step = case.steps.get(kind="proposal")

    def broken(self, *args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Evidence, "save", broken)
    with pytest.raises(RuntimeError):
        attach(township_cadre, "case_step", step.pk, pdf())
    assert stored_files(storage_folder) == []


def test_ids_beyond_any_row_are_not_found(township_cadre, case):
    huge = 10**25
    client = api(township_cadre)
    assert client.get(f"/api/v1/evidence/case_step/{huge}/").status_code == 404
    assert client.get(f"/api/v1/evidence/{huge}/file/").status_code == 404
    assert client.get("/api/v1/evidence/rocket/1/").status_code == 404
    assert client_for(township_cadre).get(f"/evidence/{huge}/").status_code == 404
    posted = client_for(township_cadre).post(f"/evidence/visit/{huge}/attach/", {"file": pdf()})
    assert posted.status_code == 404
    assert not Evidence.objects.exists()


def test_a_file_storage_lost_answers_404_and_records_no_download(
    confirmed_alert, case, measure, township_cadre
):
    owner_id = owners(confirmed_alert, case, measure)["measure"]
    stored = attach(township_cadre, "measure", owner_id, pdf())
    stored.file.storage.delete(stored.file.name)  # a restore without the files, say
    response = api(township_cadre).get(f"/api/v1/evidence/{stored.pk}/file/")
    assert response.status_code == 404
    page = client_for(township_cadre).get(f"/evidence/{stored.pk}/")
    assert page.status_code == 404
    assert not ExportEvent.objects.filter(kind=ExportKind.EVIDENCE).exists()


def test_a_partner_that_declined_the_measure_no_longer_reads_its_receipts(
    measure, partner, township_cadre
):
    from assistance.models import ReferralStatus

    receipt = attach(township_cadre, "measure", measure.pk, pdf())
    client = api(partner)
    assert client.get(f"/api/v1/evidence/{receipt.pk}/file/").status_code == 200
    Measure.objects.filter(pk=measure.pk).update(referral_status=ReferralStatus.DECLINED)
    assert client.get(f"/api/v1/evidence/{receipt.pk}/file/").status_code == 404
    assert client.get(f"/api/v1/evidence/measure/{measure.pk}/").status_code == 404
    assert client_for(partner).get(f"/evidence/{receipt.pk}/").status_code == 404
    # The cadres keep them.
    assert api(township_cadre).get(f"/api/v1/evidence/{receipt.pk}/file/").status_code == 200
