"""A village worker on a 360×740 phone records a visit with one thumb: "same as last time" fills a
section, the income total follows the typing, an event row is added and removed, a refused save
shows a summary whose links jump to the field, and the save button is always in reach."""

import datetime
import uuid
from decimal import Decimal

from playwright.sync_api import expect

from households.models import Household
from monitoring.models import Visit
from monitoring.services.visits import visit_record
from tests.conftest import committed_db

LAST = {
    "household_size": 2,
    "wage_income": Decimal("9000"),
    "business_income": Decimal("2000"),
    "property_income": Decimal("0"),
    "transfer_income": Decimal("1200"),
    "medical_spending": Decimal("3000"),
    "education_spending": Decimal("0"),
    "disaster_loss": Decimal("0"),
    "food_clothing_ok": True,
    "compulsory_education_ok": True,
    "basic_medical_ok": True,
    "safe_housing_ok": True,
    "safe_water_ok": False,
}

# Every button, link, input, select and summary the worker taps on the form.
TAP_TARGETS = (
    "form[data-visit-form] button:visible, form[data-visit-form] summary:visible, "
    "form[data-visit-form] input:not([type=hidden]):not([type=radio]):visible, "
    "form[data-visit-form] select:visible, .error-summary a:visible"
)


def _small_targets(page) -> list[str]:
    return page.eval_on_selector_all(
        TAP_TARGETS,
        """nodes => nodes.filter(n => n.getBoundingClientRect().height < 44)
             .map(n => n.outerHTML.slice(0, 80))""",
    )


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width


@committed_db
def test_a_village_worker_records_a_visit_with_one_thumb(
    visit_as, clock, household, village_worker
):
    Household.objects.filter(pk=household.pk).update(
        created_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    )
    visit_record(
        actor=village_worker,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        visited_on=clock.today() - datetime.timedelta(days=30),
        **LAST,
    )
    worker = visit_as(village_worker, phone=True)
    page = worker.page
    page.set_viewport_size({"width": 360, "height": 740})
    page = worker.open(f"/visits/new/?household={household.pk}")
    live = page.locator("[data-live-total]")
    expect(live).to_contain_text("人均")
    worker.shot("01-form")
    _no_sideways_scroll(page)
    assert _small_targets(page) == []

    # The save button is in reach at the top of the form and at its end.
    save = page.locator("button[type=submit].primary")
    expect(save).to_be_in_viewport()

    # Nothing changed in the income: one tap, and the section folds to its total.
    income = page.locator('details[data-section="income"]')
    income.locator("[data-same-as-last]").click()
    expect(income).not_to_have_attribute("open", "")
    expect(income.locator("[data-section-total]")).to_have_text("合计 12,200.00 元")
    expect(live).to_have_text("纯收入 12,200.00 元 · 人均 6,100.00 元")
    spending = page.locator('details[data-section="spending"]')
    spending.locator("[data-same-as-last]").click()
    expect(page.locator("input[name=medical_spending]")).to_have_value("3000.00")
    checks = page.locator('details[data-section="checks"]')
    checks.locator("[data-same-as-last]").click()
    expect(checks.locator("[data-section-total]")).to_have_text("未保障：1 项")
    worker.shot("02-same-as-last")

    # Wages went up: the total follows the typing (the section opens again by its summary).
    income.locator("summary").click()
    page.fill("input[name=wage_income]", "11000")
    expect(live).to_have_text("纯收入 14,200.00 元 · 人均 7,100.00 元")

    # Two event rows added, the first removed: the second becomes events-0.
    rows = page.locator("[data-event-row]")
    expect(rows).to_have_count(0)  # the page's blank rows are left to forms without script
    add = page.locator("[data-add-event]")
    add.click()
    add.click()
    expect(rows).to_have_count(2)
    rows.nth(1).locator("select[name$=-kind]").select_option("illness")
    rows.nth(0).locator("[data-remove-event]").click()
    expect(rows).to_have_count(1)
    expect(page.locator("input[name=events-TOTAL_FORMS]")).to_have_value("1")
    assert rows.nth(0).locator("select").first.get_attribute("name") == "events-0-kind"
    expect(page.locator('details[data-section="events"] [data-section-total]')).to_have_text(
        "已记 1 件"
    )
    worker.shot("03-event-row")
    _no_sideways_scroll(page)
    assert _small_targets(page) == []

    # Saved with a mistake (the event's date is missing, a figure is negative): the summary.
    page.fill("input[name=property_income]", "-5")
    save.click()
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("金额不能为负数。")
    worker.shot("04-error-summary")
    _no_sideways_scroll(page)
    assert _small_targets(page) == []
    summary.locator('a[href="#id_property_income"]').click()
    expect(page.locator("input[name=property_income]")).to_be_focused()
    page.fill("input[name=property_income]", "0")
    summary.locator('a[href="#id_events-0-occurred_on"]').click()
    date = page.locator("input[name=events-0-occurred_on]")
    expect(date).to_be_focused()
    date.fill((clock.today() - datetime.timedelta(days=3)).isoformat())

    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state()
    assert "/new/" not in page.url
    worker.shot("05-saved")
    visit = Visit.objects.filter(household=household).latest("id")
    assert visit.per_capita_income == Decimal("7100.00")  # (11000 + 2000 + 0 + 1200) / 2
    assert visit.medical_spending == Decimal("3000") and visit.safe_water_ok is False
    assert visit.events.get().kind == "illness"
    expect(page.locator("body")).to_contain_text("7,100.00 元")
