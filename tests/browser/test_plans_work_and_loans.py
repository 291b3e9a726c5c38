"""Issue 20's pages in a browser: a village worker on a 360×740 phone records the month's work
and reviews the development plan on a visit, and shows the household its card; on a desk, a
township cadre records a loan's repayment and a county officer reads a finished backtest.

Every page is checked by page_checks.Watcher (nothing sideways, 44-pixel taps on the phone, no
English left, no console error), and a form sent with a mistake keeps what was typed."""

import datetime
import re
from decimal import Decimal

import pytest

from assistance.models import Case, Measure
from backtests import services as backtest_services
from backtests.models import BacktestRun
from development.models import PlanReview
from development.services import plans as plan_services
from livelihoods.models import WorkRecord
from livelihoods.models.credit import LoanPayment
from tests.assistance.conftest import visit
from tests.backtests.conftest import history  # noqa: F401  (a fixture, used by name)
from tests.browser.conftest import PHONE_740
from tests.browser.page_checks import Watcher
from tests.conftest import committed_db
from tests.development.conftest import draft_plan
from tests.idgen import make_id_number
from tests.livelihoods.credit_helpers import make_loan


def _expected(problems: list[str]) -> list[str]:
    """The problems left once the form sent with a mistake on purpose is set aside: its answer
    is a 400, which the browser reports as a failed resource."""
    return [p for p in problems if "status of 400" not in p]


def _row(page, member):
    return page.locator(f"fieldset:has(legend:has-text('{member.name}'))")


@committed_db
def test_a_village_worker_records_the_months_work_on_a_visit(
    visit_as, clock, household, village_worker
):
    head = household.members.get(relation="head")
    spouse = household.members.get(relation="spouse")
    recorded = visit(village_worker, household, on=clock.today(), per_person=Decimal("9000"))
    worker = visit_as(village_worker, viewport=PHONE_740)
    watcher = Watcher(worker, phone=True)
    page = worker.open(f"/visits/{recorded.pk}/")
    watcher.look("visit")
    assert "已登记 0 人" in page.locator(".visit-work-link").inner_text()
    page.get_by_role("link", name="在本次走访中登记当月就业").click()
    page.wait_for_load_state()
    assert f"visit={recorded.pk}" in page.url
    watcher.look("work-form")

    # A mistake first: the spouse is looking for work, yet has an employer.
    _row(page, head).locator("select[name$=-status]").select_option("working")
    _row(page, head).locator("select[name$=-place]").select_option("county")
    _row(page, head).locator("input[name$=-employer]").fill("县城建筑队")
    _row(page, spouse).locator("select[name$=-status]").select_option("seeking")
    _row(page, spouse).locator("input[name$=-employer]").fill("某厂")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    # Said at the top, where the reloaded page opens, and at the member's row.
    assert "本次未保存" in page.locator("form.work-month > .errors").inner_text()
    assert "只有在务工的成员" in _row(page, spouse).inner_text()
    assert not WorkRecord.objects.exists()
    # What was typed is still there.
    assert _row(page, head).locator("input[name$=-employer]").input_value() == "县城建筑队"
    assert _row(page, head).locator("select[name$=-place]").input_value() == "county"
    watcher.look("work-form-error")

    _row(page, spouse).locator("input[name$=-employer]").fill("")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    # Back on the visit, which now counts both members recorded.
    assert page.url.endswith(f"/visits/{recorded.pk}/")
    assert "已登记 2 人" in page.locator(".visit-work-link").inner_text()
    watcher.look("visit-after-work")
    month = clock.today().replace(day=1)
    assert {
        (r.member_id, r.status, r.source, r.visit_id, r.month) for r in WorkRecord.objects.all()
    } == {
        (head.pk, "working", "visit", recorded.pk, month),
        (spouse.pk, "seeking", "visit", recorded.pk, month),
    }
    assert _expected(watcher.problems) == []


def _agreed_plan(household, village_worker, township_cadre, on: datetime.date):
    plan = draft_plan(household, village_worker)
    return plan_services.plan_agree(
        actor=township_cadre,
        plan_id=plan.pk,
        version=plan.version,
        member_id=household.members.get(relation="head").pk,
        method="signature",
        agreed_on=on,
    )


@committed_db
def test_a_plan_is_reviewed_on_a_visit_on_a_phone(
    visit_as, clock, household, village_worker, township_cadre
):
    plan = _agreed_plan(household, village_worker, township_cadre, clock.today())
    recorded = visit(village_worker, household, on=clock.today(), per_person=Decimal("9000"))
    worker = visit_as(village_worker, viewport=PHONE_740)
    watcher = Watcher(worker, phone=True)
    page = worker.open(f"/visits/{recorded.pk}/")
    page.get_by_role("link", name="在本次走访中回顾一户一策").click()
    page.wait_for_load_state()
    # The visit it came from is chosen, and the way back leads to it.
    assert page.locator("select[name=visit]").input_value() == str(recorded.pk)
    assert page.get_by_role("link", name="返回本次走访").get_attribute("href") == (
        f"/visits/{recorded.pk}/"
    )
    watcher.look("review-form")
    rows = page.locator("fieldset.review-row")
    assert rows.count() == 4  # two goals, two commitments
    for index in range(rows.count()):
        rows.nth(index).locator("input[type=radio]").first.check()
    page.get_by_role("button", name="保存回顾").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/plans/{plan.pk}/")
    watcher.look("plan-reviewed")
    review = PlanReview.objects.get(plan=plan)
    assert review.visit_id == recorded.pk
    # Reviewed on this visit: its page no longer offers the review.
    page = worker.open(f"/visits/{recorded.pk}/")
    assert page.locator(".plan-review-link").count() == 0
    assert watcher.problems == []


def _measures(household, township_cadre, today: datetime.date):
    """Four measures in progress with long titles: the card's longest table."""
    case = Case.objects.create(
        household=household,
        origin="cadre",
        category="unstable",
        risk_types=["income"],
        situation="务工收入下降",
        proposed_by=township_cadre,
        proposed_on=today,
        status="enrolled",
    )
    common = {"case": case, "responsible": township_cadre, "created_by": township_cadre}
    titles = [
        ("employment", "公益性岗位护林员（每月巡山二十天）"),
        ("industry", "枸杞种植产业奖补及技术指导"),
        ("education", "雨露计划中职教育补助（至毕业）"),
        ("employment", "县城工业园区电焊岗位推荐"),
    ]
    for number, (kind, title) in enumerate(titles):
        Measure.objects.create(
            kind=kind,
            title=title,
            planned_start=today,
            planned_end=today + datetime.timedelta(days=200 + number),
            planned_amount=Decimal("6000"),
            status="in_progress",
            **common,
        )


@committed_db
def test_the_card_says_nothing_private_and_prints_on_one_page(
    visit_as, clock, household, village_worker, township_cadre
):
    _agreed_plan(household, village_worker, township_cadre, clock.today())
    _measures(household, township_cadre, clock.today())
    head = household.members.get(relation="head")
    worker = visit_as(village_worker, viewport=PHONE_740)
    watcher = Watcher(worker, phone=True)
    page = worker.open(f"/households/{household.pk}/")
    page.locator(".hub-actions a", has_text="明白卡").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/households/{household.pk}/card/")
    watcher.look("card")
    card = page.locator("article.household-card").inner_text()
    assert head.name in card and "男主人到县城稳定务工" in card and "护林员" in card
    text = page.locator("body").inner_text()
    html = page.content()
    id_number = make_id_number("620423", "19680315", 1)  # the head's (tests/conftest.py)
    for secret in (id_number, id_number[-6:], "13893001234", "13893005678", "6228480402564890018"):
        assert secret not in html, secret
    born = head.birth_date
    for written in (born.isoformat(), born.strftime("%Y%m%d"), f"{born.year}年{born.month}月"):
        assert written not in text, written
    assert not re.search(r"\d{6}\*+\d{3,4}", html)  # no masked ID number either
    # Printed: one A4 page, the buttons and the menus left out.
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="打印").is_visible()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the card prints on {pages} pages"
    assert watcher.problems == []


@committed_db
def test_a_township_cadre_records_a_loan_repayment_on_a_desk(
    visit_as, clock, household, township_cadre
):
    loan = make_loan(township_cadre, household, months_back=2, principal="12000", term=12)
    cadre = visit_as(township_cadre)
    watcher = Watcher(cadre, phone=False)
    page = cadre.open(f"/loans/{loan.pk}/")
    watcher.look("loan")
    assert page.locator("#payment h2").inner_text() == "登记还款"
    assert "还款日期" in page.locator("#payment").inner_text()
    # Too much: refused, said why, the amount kept.
    page.fill("#payment input[name=amount]", "99999")
    page.locator("#payment button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#payment .error, #payment [role=alert]").count() >= 1
    assert page.locator("#payment input[name=amount]").input_value() == "99999"
    assert not LoanPayment.objects.exists()
    watcher.look("loan-payment-refused")
    page.fill("#payment input[name=amount]", "1000")
    page.locator("#payment button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/loans/{loan.pk}/")
    payment = LoanPayment.objects.get(loan=loan)
    assert payment.amount == Decimal("1000")
    payments = page.locator("table", has=page.locator("th", has_text="还款日期")).last
    assert "1,000.00" in payments.inner_text()
    watcher.look("loan-paid")
    assert _expected(watcher.problems) == []


@committed_db
@pytest.mark.usefixtures("history")
def test_the_backtests_page_shows_a_finished_run(visit_as, clock, county_officer):
    cadre = visit_as(county_officer)
    watcher = Watcher(cadre, phone=False)
    page = cadre.open("/backtests/")
    assert "尚无回测" in page.locator("table.list").inner_text()
    watcher.look("backtests-empty")
    run = backtest_services.backtest_start(
        actor=county_officer,
        region_code="620423",
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2026, 2, 1),
        horizon_months=3,
        queue=False,
    )
    backtest_services.backtest_run(run.pk, today=clock.today())
    assert BacktestRun.objects.get().status == BacktestRun.Status.DONE
    page = cadre.open("/backtests/")
    row = page.locator("table.list tbody tr").first
    assert "已完成" in row.inner_text() and "2025-07 – 2026-02" in row.inner_text()
    watcher.look("backtests")
    row.locator("a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/backtests/{run.pk}/")
    assert (
        "对比" in page.locator("main").inner_text()
        or "全部规则" in page.locator("main").inner_text()
    )
    watcher.look("backtest")
    assert watcher.problems == []
