"""The warning queue on a 360-pixel phone, as a township cadre works it: 未分配, tick two rows,
assign them in one go; and the village worker's home verification with a photo."""

import io

from PIL import Image

from evidence.models import Evidence
from households import services as household_services
from monitoring.models import Alert, AlertVerification
from monitoring.services import alerts as alert_services
from tests.conftest import HOME_VILLAGE, committed_db

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _warning(village_worker, township_cadre, report) -> Alert:
    household = household_services.household_create(
        actor=township_cadre,
        village_code=HOME_VILLAGE,
        poverty_status="lifted_out",
        poverty_exit_year=2019,
    )
    return alert_services.self_report_record(
        actor=village_worker, household_id=household.pk, report=report
    )


@committed_db
def test_a_cadre_filters_unassigned_ticks_two_and_assigns_them(
    visit_as, township_cadre, village_worker
):
    alerts = [_warning(village_worker, township_cadre, f"第{n}户 家中老人住院") for n in range(3)]
    visitor = visit_as(township_cadre, phone=True)
    page = visitor.open("/alerts/")
    chip = page.locator("a.chip", has_text="未分配")
    assert chip.bounding_box()["height"] >= 44
    chip.click()
    page.wait_for_url("**unassigned=1**")
    boxes = page.locator("label.pick")
    assert boxes.count() == 3
    for n in range(2):
        box = boxes.nth(n).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        boxes.nth(n).click()
    assert page.locator("input[name=alerts]:checked").count() == 2
    assert "已勾选 2 条" in page.locator(".bulk-count").inner_text()
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-queue-two-ticked")
    page.select_option("#bulk-form select[name=assignee]", str(village_worker.pk))
    page.locator("#bulk-form button[value=assign]").click()
    page.wait_for_load_state()
    assert "已分配 2 条预警" in page.content()
    # Back on the queue as it was filtered: only the one left unassigned.
    assert page.locator("table.alert-rows tbody tr").count() == 1
    visitor.shot("phone-queue-assigned")
    assigned = Alert.objects.filter(assignee=village_worker)
    assert assigned.count() == 2
    assert set(assigned.values_list("pk", flat=True)) <= {alert.pk for alert in alerts}


@committed_db
def test_a_village_worker_verifies_with_a_photo_on_a_phone(
    visit_as, township_cadre, village_worker, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }
    alert = _warning(village_worker, township_cadre, "户主住院，务工收入中断")
    alert = alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )
    photo = tmp_path / "核查.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 60)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())

    visitor = visit_as(village_worker, phone=True)
    page = visitor.open(f"/alerts/{alert.pk}/")
    form = page.locator("form.verify-form")
    choice = form.locator("label", has_text="部分属实")
    assert choice.bounding_box()["height"] >= 44
    choice.click()
    form.locator("textarea[name=findings]").fill("住院属实，已有医保报销一半")
    form.locator("input[type=file]").set_input_files(str(photo))
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-verification-form")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    verification = AlertVerification.objects.get()
    assert (verification.result, verification.findings) == ("partly", "住院属实，已有医保报销一半")
    assert Evidence.objects.filter(owner_id=alert.pk).count() == 1
    assert "部分属实" in page.locator(".verification-list").inner_text()
    visitor.shot("phone-verification-recorded")
