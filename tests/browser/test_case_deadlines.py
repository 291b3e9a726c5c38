"""The case page of a Gansu household names each step's limit in working days, on a 360×740
phone and on a 1366×900 screen, without scrolling sideways."""

from assistance.services import cases as case_services
from tests.conftest import committed_db

SCREEN = {"width": 1366, "height": 900}  # a county office's common laptop screen
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@committed_db
def test_the_case_page_names_each_steps_working_day_limit(visit_as, township_cadre, household):
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
    )
    for phone, size in ((True, {"width": 360, "height": 740}), (False, SCREEN)):
        visitor = visit_as(township_cadre, phone=phone)
        visitor.page.set_viewport_size(size)
        page = visitor.open(f"/cases/{case.pk}/")
        # The phase's count and the steps are folded: the cadre taps them open.
        page.get_by_text("本阶段须于").click()
        steps = page.locator("details#steps-1")
        if steps.get_attribute("open") is None:
            steps.locator("> summary").click()
        text = page.inner_text("main")
        assert "5个工作日内" in text and "15个工作日内" in text
        assert "办理期限依据：甘肃省。" in text
        assert page.evaluate(SIDEWAYS) <= 0
        visitor.shot("phone" if phone else "desktop")
