"""The main pages, opened in Chromium by the people who use them, under the real
Content-Security-Policy: not one violation is reported, htmx still swaps the household list,
the dashboard still draws its charts, Swagger UI and the admin still render.

A violation is caught twice: Chromium's own console message ("Refused to … because it violates
the following Content Security Policy directive"), and a `securitypolicyviolation` listener that
an init script adds to every document before the page's own scripts run."""

import datetime
import re

from playwright.sync_api import expect

from assistance.services import cases as case_services
from dashboards.refresh import figures_refresh
from monitoring.models import Alert, AlertSource
from tests.assistance.conftest import step
from tests.conftest import committed_db

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""
SLIP_IN_A_STYLE = """() => document.body.insertAdjacentHTML(
  "beforeend", '<p style="color: red">slipped in</p>')"""
CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return canvases.length > 0 && canvases.every((canvas) => {
    if (!window.Chart || !window.Chart.getChart(canvas) || canvas.width === 0) return false;
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha]) return true;
    return false;
  });
}"""


def _watch(visitor) -> list[str]:
    """Every CSP complaint the visitor's pages make from now on."""
    complaints: list[str] = []
    visitor.context.add_init_script(REPORT_VIOLATIONS)

    def note(message) -> None:
        if "Content Security Policy" in message.text or "CSP violation" in message.text:
            complaints.append(f"{visitor.page.url}: {message.text}")

    visitor.page.on("console", note)
    return complaints


@committed_db
def test_the_main_pages_work_under_the_policy_with_no_violation(
    visit_as, clock, household, village_worker, township_cadre, county_officer
):
    case = case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
        responsible_id=township_cadre.pk,
    )
    # Up to the village notice, whose printed page has the "Print" button.
    step(village_worker, case, "consent")
    step(township_cadre, case, "info_check", info_check_result="consistent")
    step(village_worker, case, "deliberation", comment="村民代表一致同意")
    case.refresh_from_db()
    case_services.case_notice_post(
        actor=village_worker,
        case=case,
        version=case.version,
        starts_on=clock.today(),
        ends_on=clock.today() + datetime.timedelta(days=4),
    )
    # A warning of its own, raised after the case (proposing one closes the household's).
    Alert.objects.create(
        household=household,
        source=AlertSource.CADRE,
        level="high",
        score=60,
        reasons=[],
        opened_at=datetime.datetime.now(datetime.UTC),
    )
    figures_refresh()
    cadre, worker, county = (
        visit_as(township_cadre),
        visit_as(village_worker, phone=True),
        visit_as(county_officer),
    )
    complaints = _watch(cadre), _watch(worker), _watch(county)

    # The login page (before anyone is signed in), then home.
    page = cadre.open("/")
    assert "/login/" not in page.url
    cadre.shot("01-home")
    assert page.evaluate("() => [htmx.config.includeIndicatorStyles, htmx.config.allowEval]") == [
        False,
        False,
    ]

    # The household list: typing in the search box makes htmx fetch and swap the rows.
    page = cadre.open("/households/")
    rows = page.locator("#household-rows")
    expect(rows).to_contain_text(household.number)
    with page.expect_response(lambda response: "q=" in response.url):
        # Keys, not filled text: htmx listens for keyup (Chinese would be inserted keylessly).
        page.locator("input[name=q]").press_sequentially("zzz")
    expect(rows).not_to_contain_text(household.number)
    assert "q=" in page.url  # hx-push-url: htmx did it, not a full page load
    page.locator("select[name=ordering]").select_option(index=1)
    expect(page).to_have_url(re.compile("ordering="))
    cadre.shot("02-household-list-filtered")

    cadre.open(f"/households/{household.pk}/")
    cadre.shot("03-household-detail")
    cadre.open("/alerts/")
    expect(cadre.page.locator("main table")).to_contain_text(household.head_name)
    cadre.shot("04-warning-queue")
    page = cadre.open(f"/cases/{case.pk}/")
    cadre.shot("05-case-detail")
    # A POST: each print is recorded.
    page.locator("form.notice-print[action$='/notice/'] button").click()
    expect(page.locator("button[data-print]")).to_be_visible()
    cadre.shot("06-case-notice")
    # The two-factor enrolment's QR code is a data: image, which img-src allows.
    page = cadre.open("/account/two-factor/")
    page.wait_for_function("() => document.querySelector('img.qr-code').naturalWidth > 0")

    # The Swagger page draws the API from the schema (its script is a file, not inline).
    page = cadre.open("/api/docs/")
    # Generating the schema takes seconds on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Dixian API", timeout=90_000)
    expect(page.locator(".opblock").first).to_be_visible()
    cadre.shot("07-api-docs")

    # The village worker's visit form, on the phone, with its service worker.
    page = worker.open(f"/visits/new/?household={household.pk}")
    expect(page.locator("input[name=wage_income]")).to_be_visible()
    worker.open("/visits/new/")
    worker.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    worker.shot("08-visit-form")

    # The county dashboard draws every chart on its canvas.
    page = county.open("/dashboard/")
    page.wait_for_function(CHARTS_DRAWN)
    county.shot("09-dashboard")

    # The admin, for the county officer who is staff.
    page = county.open("/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page = county.open("/admin/households/household/")
    expect(page.locator("#result_list")).to_contain_text(household.number)
    county.shot("10-admin")
    page = county.open(f"/admin/households/household/{household.pk}/change/")
    expect(page.locator("#content form")).to_be_visible()

    assert [complaint for each in complaints for complaint in each] == []

    # And the watch does see a violation: a style attribute slipped into a page is refused.
    page = cadre.open("/households/")
    page.evaluate(SLIP_IN_A_STYLE)
    for _ in range(50):  # the console message arrives on its own time
        if complaints[0]:
            break
        page.wait_for_timeout(100)
    assert any("style-src" in complaint for complaint in complaints[0]), complaints[0]
