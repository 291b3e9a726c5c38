"""A household from warning to enrolled, and a partner's delivery, in a real browser: each role
on its own screen, the village worker on a phone."""

import uuid
from decimal import Decimal

from assistance.models import Case, CaseStatus, Measure, MeasureStatus
from dashboards.refresh import figures_refresh
from households.models import Household
from monitoring.engine.evaluation import evaluate_households
from monitoring.models import Alert
from monitoring.services.visits import visit_record
from tests.conftest import committed_db


def _poor_visit(actor, household, today):
    visit_record(
        actor=actor,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        events=[],
        visited_on=today,
        household_size=2,
        wage_income=Decimal("5000"),
        business_income=Decimal("0"),
        property_income=Decimal("0"),
        transfer_income=Decimal("0"),
        medical_spending=Decimal("0"),
        education_spending=Decimal("0"),
        disaster_loss=Decimal("0"),
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
    )
    evaluate_households(Household.objects.filter(pk=household.pk), as_of=today)
    return Alert.objects.get(household=household)


def _step(visitor, case, kind, **choices):
    page = visitor.open(f"/cases/{case.pk}/")
    form = page.locator(f"form[action$='/steps/{kind}/']")
    for name, value in choices.items():
        form.locator(f"[name={name}]").select_option(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    return page


@committed_db
def test_a_warning_becomes_an_enrolled_case_and_a_partner_delivers(
    visit_as,
    clock,
    household,
    village_worker,
    township_cadre,
    county_officer,
    partner,
    partner_org,
):
    alert = _poor_visit(village_worker, household, clock.today())
    cadre = visit_as(township_cadre)
    worker = visit_as(village_worker, phone=True)

    # The township cadre sends the warning to the village worker, who checks at home.
    page = cadre.open(f"/alerts/{alert.pk}/")
    page.locator("select[name=assignee]").select_option(str(village_worker.pk))
    page.locator("form[action$='/assign/'] button").click()
    cadre.shot("01-alert-assigned")
    page = worker.open(f"/alerts/{alert.pk}/")
    page.check("form[action$='/verify/'] input[name=result][value=true]")
    page.fill(
        "form[action$='/verify/'] textarea[name=findings]", "入户核实：户主住院，务工收入中断"
    )
    page.locator("form[action$='/verify/'] button").click()
    worker.shot("02-alert-verified")

    # Confirmed, it becomes a case, with the risk types suggested from its reasons.
    page = cadre.open(f"/alerts/{alert.pk}/")
    page.locator("form[action$='/confirm/'] button").click()
    page.locator("a[href*='/cases/new/']").click()
    page.locator("select[name=category]").select_option("unstable")
    page.locator("input[name=risk_types][value=illness]").check()
    page.fill("textarea[name=situation]", "户主患病住院，家庭收入低于监测线")
    cadre.shot("03-case-proposal")
    page.locator("form button[type=submit].primary").click()
    page.wait_for_load_state()
    case = Case.objects.get(household=household)
    assert page.url.endswith(f"/cases/{case.pk}/")
    cadre.shot("04-case-opened")

    # The steps, each by its role; the village worker's on the phone.
    clock.advance(1)
    _step(worker, case, "consent")
    worker.shot("05-consent")
    _step(cadre, case, "info_check", info_check_result="consistent")
    _step(worker, case, "deliberation")
    page = worker.open(f"/cases/{case.pk}/")
    page.locator("form[action$='/notice/post/'] button").click()
    page.wait_for_load_state()
    worker.shot("06-notice-posted")
    # The print is a POST (it is recorded): the case page's button, not a link.
    page.locator("form.notice-print[action$='/notice/'] button").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/{case.pk}/notice/")
    assert household.head_name in page.content()
    worker.shot("07-notice-print")
    clock.advance(5)
    _step(worker, case, "notice")
    _step(cadre, case, "township_review")
    county = visit_as(county_officer)
    page = _step(county, case, "county_approval")
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED
    assert "已纳入监测" in page.content()

    # A measure from the partner, delivered on the partner's own page.
    page = cadre.open(f"/cases/{case.pk}/measures/new/")
    page.locator("select[name=kind]").select_option("employment")
    page.fill("input[name=title]", "物流园装卸岗位")
    page.locator("select[name=partner]").select_option(str(partner_org.pk))
    page.locator("form button[type=submit].primary").click()
    page.wait_for_load_state()
    measure = Measure.objects.get(case=case)
    firm = visit_as(partner)
    page = firm.open(f"/measures/{measure.pk}/")
    page.locator("select[name=status]").select_option("delivered")
    page.fill("textarea[name=result]", "已上岗，月工资3000元")
    firm.shot("08-delivery")
    # The delivery form's own button: the page also carries the referral's answer and the notes.
    page.locator("form:has(select[name=status]) button[type=submit]").click()
    page.wait_for_load_state()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DELIVERED
    cadre.open(f"/cases/{case.pk}/")
    cadre.shot("09-case-with-measure")

    # The dashboards count it once the figures are counted again (every few minutes in
    # production; here at once): the county, then its township by drill-down.
    figures_refresh()
    page = county.open("/dashboard/")
    partners = page.locator("#partner-contributions")
    assert partner_org.name in partners.inner_text()
    county.shot("10-county-dashboard")
    # The township's row (its link carries the period too), in the table folded under the chart.
    page.evaluate("document.querySelectorAll('#children details').forEach(d => d.open = true)")
    page.locator(f"#children a[href^='?region={household.village.parent_id}']").first.click()
    page.wait_for_load_state()
    coverage = page.locator(".tile", has_text="措施落实率")
    assert "100.0%" in coverage.inner_text()
    assert page.locator("#case-state").get_by_text("已纳入监测").count() == 1
    page.locator("canvas").first.wait_for()
    county.shot("11-township-dashboard")
    page = cadre.open("/dashboard/?print=1")
    assert page.locator(".topbar").is_hidden()
    cadre.shot("12-dashboard-print-view")
