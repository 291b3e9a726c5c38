"""今日待办 and 我的结对户 on a 360-pixel phone: each task row says for whom and why in full
(the head's name is what a village worker looks for), and the summary that opens a contact form
is a tap of 44 pixels."""

import datetime

from django.utils import timezone

from households.models import Household
from pairings import services as pairing_services
from pairings.models import Pairing
from tests.conftest import committed_db

# What and for whom, when and why: none cut short on a phone.
CLIPPED = """() => [...document.querySelectorAll('ol.tasks .task-what, ol.tasks .task-when')]
  .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map(el => el.innerText)"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@committed_db
def test_a_task_row_shows_the_head_of_household_and_the_contact_summary_is_a_tap(
    visit_as, village_worker, township_cadre, household
):
    today = timezone.localdate()
    Household.objects.filter(pk=household.pk).update(
        next_visit_due=today - datetime.timedelta(days=3), is_monitored=True
    )
    pairing_services.pairing_assign(
        actor=township_cadre, household_id=household.pk, cadre_id=village_worker.pk
    )
    # Paired long ago and never contacted: 联系结对帮扶户, the longest title of a row.
    Pairing.objects.filter(household=household).update(
        started_on=today - datetime.timedelta(days=120)
    )
    visitor = visit_as(village_worker, phone=True)
    page = visitor.open("/")
    for title in ("入户走访", "联系结对帮扶户"):
        assert "张建国" in page.locator("ol.tasks li", has_text=title).inner_text()
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-home")

    page = visitor.open("/pairings/mine/")
    summary = page.locator("summary", has_text="记录联系").first
    assert summary.bounding_box()["height"] >= 44
    summary.click()
    assert page.input_value("input[name=contacted_on]") == today.isoformat()
    visitor.shot("phone-my-households")


@committed_db
def test_the_pages_in_english_do_not_scroll_sideways_on_a_phone(
    visit_as, village_worker, household
):
    """English words are longer than Chinese ones: the account links of the header and the tabs
    of the case list wrap instead of pushing the page past 360 pixels."""
    visitor = visit_as(village_worker, phone=True)
    visitor.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": visitor.live_server.url}]
    )
    for path in ("/", "/visits/", "/cases/", "/pairings/mine/"):
        page = visitor.open(path)
        assert page.evaluate("document.documentElement.lang") == "en", path
        assert page.evaluate(SIDEWAYS) <= 0, path
    visitor.shot("phone-cases-english")
