"""An area event opened by hand on a phone: the page says its households are being ranked, and
shows the ranked list by itself once the worker has made it (htmx looks again every 3 s)."""

from monitoring.models import AreaEvent
from monitoring.services import area_events
from tests.conftest import HOME_VILLAGE, committed_db

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@committed_db
def test_the_event_page_waits_for_its_list_and_then_shows_it(visit_as, township_cadre, household):
    visitor = visit_as(township_cadre, phone=True)
    page = visitor.open("/area-events/new/")
    page.fill("input[name=region_code]", HOME_VILLAGE)
    page.select_option("select[name=kind]", "migrant_work_drop")
    page.fill("input[name=occurred_on]", "2026-06-29")
    page.get_by_role("button", name="发起排查").click()
    page.wait_for_url("**/area-events/*/")
    waiting = page.locator("#area-event-listing")
    assert "正在按脆弱程度为本区域的农户排序" in waiting.inner_text()
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-area-event-being-ranked")

    # The worker's part, as monitoring.tasks.area_event_list does it after the commit.
    assert area_events.area_event_list(AreaEvent.objects.get().pk) == 1
    # The poll finds the list made and has the whole page shown again (HX-Refresh), filters and
    # all; until then it swapped only its own card, leaving the close form as it was.
    page.locator("ol.screening li.task", has_text=household.number).wait_for(timeout=10_000)
    assert page.locator("#area-event-listing").count() == 0
    assert AreaEvent.objects.get().listed_at is not None
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-area-event-ranked")

    desk = visit_as(township_cadre)
    desk.open(page.url.replace(visitor.live_server.url, ""))
    desk.shot("desktop-area-event-ranked")
