"""Each persona's day, on a 360×740 phone and on a 1366×900 desktop (issue 18): the village
worker, the township cadre, the county officer and a partner do their work through the pages,
and every page they open is checked (tests/browser/page_checks.py): nothing scrolls sideways,
tap targets are at least 44 px on the phone, the header takes at most 15% of the phone's screen,
nothing is left untranslated in Chinese or in English, no console error, no CSP violation.

The screenshots stay under var/screenshots/<test>/ (CI keeps them as artefacts)."""

import datetime
import io
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from evidence.models import Evidence
from monitoring.models import Alert, AlertVerification, Visit
from monitoring.services import alerts as alert_services
from tests.browser.page_checks import Watcher
from tests.browser.test_case_walk import _poor_visit
from tests.browser.test_visit_offline import QUEUE, Cut, ready_for_offline, record_offline, save
from tests.conftest import HOME_VILLAGE, committed_db

VIEWPORTS = [pytest.param(True, id="phone"), pytest.param(False, id="desktop")]


def _person(visit_as, user, phone):
    visitor = visit_as(user, phone=phone)
    return visitor, Watcher(visitor, phone=phone)


@committed_db
@pytest.mark.parametrize("phone", VIEWPORTS)
def test_the_village_workers_day(
    visit_as, clock, household, village_worker, township_cadre, evidence_storage, phone
):
    alert = _poor_visit(village_worker, household, clock.today())
    alert = alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )
    visits = Visit.objects.filter(household=household).count()
    worker, watch = _person(visit_as, village_worker, phone)

    # Today: what waits for the worker.
    page = worker.open("/")
    watch.look("today")
    page = worker.open(f"/households/{household.pk}/")
    watch.look("household")

    # A visit on the ordinary form.
    page = worker.open(f"/visits/new/?household={household.pk}")
    watch.look("visit-form")
    for field, value in {
        "household_size": "2",
        "wage_income": "9000",
        "business_income": "0",
        "property_income": "0",
        "transfer_income": "1200",
        "medical_spending": "0",
        "education_spending": "0",
        "disaster_loss": "0",
    }.items():
        page.fill(f"form input[name={field}]", value)
    save(page.locator("form:has(input[name=wage_income])").first)
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("5,100")
    watch.look("visit-saved")
    assert Visit.objects.filter(household=household).count() == visits + 1

    # A visit with no network: it waits on the phone and arrives when the network returns.
    page = worker.open("/visits/new/")
    ready_for_offline(worker)
    with Cut(worker):
        form = record_offline(worker)
        save(form)
        expect(page.locator(QUEUE)).to_have_attribute("data-state", "pending")
    expect(page.locator(QUEUE)).to_have_attribute("data-state", "synced")
    watch.look("offline-visit-synced")
    assert Visit.objects.filter(household=household).count() == visits + 2

    # The warning the township sent: checked at home, with a photo.
    page = worker.open(f"/alerts/{alert.pk}/")
    watch.look("verification-form")
    form = page.locator("form.verify-form")
    form.locator("label", has_text="部分属实").click()
    form.locator("textarea[name=findings]").fill("住院属实，已有医保报销一半")
    form.locator("input[type=file]").set_input_files(_photo("核查.png"))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    verification = AlertVerification.objects.get(alert=alert)
    assert verification.result == "partly"
    assert Evidence.objects.filter(owner_id=alert.pk).count() == 1
    watch.look("verification-recorded")

    assert watch.problems == [], "\n".join(watch.problems)


@pytest.fixture
def evidence_storage(settings, tmp_path):
    """Attached files under the test's own directory (the live server runs in this process)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }


def _photo(name: str) -> dict:
    """A small photo, as a phone's camera hands it over."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


def _attach(page, section, name: str) -> None:
    """Attach a photo through an evidence section (folded until opened)."""
    details = section.locator("details.evidence-attach").first
    if details.get_attribute("open") is None:
        details.locator("summary").first.click()
    form = details.locator("form")
    form.locator("input[type=file]").set_input_files(_photo(name))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _case_at_review(clock, household, village_worker, township_cadre):
    """A case proposed and carried by its roles to the county's approval, each step on its own
    day (the services, as tests/assistance/conftest.py walks them)."""
    from assistance.services import cases as case_services
    from tests.assistance.conftest import step

    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患病住院，家庭收入低于监测线",
    )
    clock.advance(1)
    step(village_worker, case, "consent")
    clock.advance(1)
    step(township_cadre, case, "info_check", info_check_result="consistent")
    clock.advance(1)
    step(village_worker, case, "deliberation", comment="村民代表一致同意")
    clock.advance(1)
    case.refresh_from_db()
    case_services.case_notice_post(
        actor=village_worker,
        case=case,
        version=case.version,
        starts_on=clock.today(),
        ends_on=clock.today() + datetime.timedelta(days=4),
    )
    clock.advance(7)
    step(village_worker, case, "notice", objections="")
    clock.advance(1)
    step(township_cadre, case, "township_review")
    case.refresh_from_db()
    return case


def _enrolled_case(clock, household, village_worker, township_cadre, county_officer):
    from tests.assistance.conftest import step

    case = _case_at_review(clock, household, village_worker, township_cadre)
    clock.advance(1)
    step(county_officer, case, "county_approval")
    case.refresh_from_db()
    return case


@committed_db
@pytest.mark.parametrize("phone", VIEWPORTS)
def test_the_partners_day(
    visit_as,
    clock,
    household,
    village_worker,
    township_cadre,
    county_officer,
    partner,
    partner_org,
    evidence_storage,
    phone,
):
    from assistance.models import Measure, MeasureStatus, ReferralStatus
    from assistance.services.measures import MeasurePlan, measure_create
    from evidence.models import Evidence

    case = _enrolled_case(clock, household, village_worker, township_cadre, county_officer)
    measure = measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="employment",
            title="物流园装卸岗位",
            responsible_id=township_cadre.pk,
            planned_start=clock.today(),
            partner_id=partner_org.pk,
            planned_amount=Decimal("3000"),
        ),
    )
    firm, watch = _person(visit_as, partner, phone)

    page = firm.open("/")
    watch.look("home")
    page = firm.open(f"/measures/{measure.pk}/")
    watch.look("referral")
    page.locator(f"form[action$='/measures/{measure.pk}/accept/'] button").click()
    page.wait_for_load_state()
    measure.refresh_from_db()
    assert measure.referral_status == ReferralStatus.ACCEPTED
    watch.look("referral-accepted")

    page.locator("select[name=status]").select_option("delivered")
    page.fill("textarea[name=result]", "已上岗，月工资3000元")
    page.locator("form:has(select[name=status]) button[type=submit]").click()
    page.wait_for_load_state()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DELIVERED
    _attach(page, page.locator("main"), "回执.png")
    assert Evidence.objects.filter(owner_id=measure.pk).count() == 1
    watch.look("delivery-with-receipt")
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.DELIVERED

    assert watch.problems == [], "\n".join(watch.problems)


@committed_db
@pytest.mark.parametrize("phone", VIEWPORTS)
def test_the_county_officers_day(
    visit_as, clock, household, village_worker, township_cadre, county_officer, phone
):
    from assistance.models import Case, CaseStatus
    from dashboards.refresh import figures_refresh

    case = _case_at_review(clock, household, village_worker, township_cadre)
    officer, watch = _person(visit_as, county_officer, phone)

    page = officer.open("/")
    watch.look("home")
    page = officer.open(f"/cases/{case.pk}/")
    watch.look("case-to-approve")
    page.locator("form[action$='/steps/county_approval/'] button[type=submit]").first.click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ENROLLED
    watch.look("case-approved")

    figures_refresh()
    page = officer.open("/dashboard/")
    watch.look("dashboard")
    # A figure opens the list behind it: the enrolled case, counted on the tile, is in it.
    tile = page.locator("a.tile[href*='/cases/']").first
    figure = tile.locator(".n").inner_text()
    tile.click()
    page.wait_for_load_state()
    assert "/cases/" in page.url
    assert page.locator("table.cases tbody tr a.row-link").count() == int(figure)
    watch.look("drilled-down")

    assert watch.problems == [], "\n".join(watch.problems)


@committed_db
@pytest.mark.parametrize("phone", VIEWPORTS)
def test_the_township_cadres_day(
    visit_as, clock, household, village_worker, township_cadre, evidence_storage, phone
):
    from tests.assistance.test_case_next_step import _deliberated, _household

    neighbour = _household(township_cadre, HOME_VILLAGE, "赵明", 11)
    # Two households reporting hardship themselves, their warnings not yet sent to anyone.
    for name, serial in (("钱亮", 12), ("孙强", 13)):
        home = _household(township_cadre, HOME_VILLAGE, name, serial)
        alert_services.self_report_record(
            actor=village_worker, household_id=home.pk, report="家中老人住院，务工收入中断"
        )
    # Two households of one deliberation meeting, their notices posted the same day.
    cases = [
        _deliberated(
            home,
            village_worker=village_worker,
            township_cadre=township_cadre,
            posted_on=clock.today(),
        )
        for home in (household, neighbour)
    ]
    cadre, watch = _person(visit_as, township_cadre, phone)

    page = cadre.open("/")
    watch.look("today")

    # The queue: the unassigned, two ticked, sent to the village worker at once.
    page = cadre.open("/alerts/")
    watch.look("warning-queue")
    page.locator("a.chip", has_text="未分配").click()
    page.wait_for_url("**unassigned=1**")
    page.locator("label.pick").nth(0).click()
    page.locator("label.pick").nth(1).click()
    page.select_option("#bulk-form select[name=assignee]", str(village_worker.pk))
    watch.look("two-ticked")
    page.locator("#bulk-form button[value=assign]").click()
    page.wait_for_load_state()
    assert Alert.objects.filter(assignee=village_worker).count() == 2
    watch.look("bulk-assigned")

    # The case: the deliberation's minutes attached to its step.
    page = cadre.open(f"/cases/{cases[0].pk}/")
    watch.look("case")
    phase = page.locator("details[id^=steps-]", has_text="民主评议").first
    if phase.get_attribute("open") is None:
        phase.locator("summary").first.click()
    _attach(page, phase.locator("li.step", has_text="民主评议").first, "评议记录.png")
    assert Evidence.objects.filter(owner_kind="case_step").count() == 1
    watch.look("minutes-attached")

    # The meeting's notice: both households on one sheet.
    page.locator("form.notice-print[action*='/cases/notices/'] button").first.click()
    page.wait_for_load_state()
    sheet = page.locator("main").inner_text()
    assert "张建国" in sheet and "赵明" in sheet, sheet
    watch.look("meeting-notice")

    assert watch.problems == [], "\n".join(watch.problems)
