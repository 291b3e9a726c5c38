"""The household list on a 360-pixel phone: one- or two-line rows that are each a tap of 44
pixels, no sideways scroll; the search refreshes the rows as the user types after a pause, not
while pinyin is being composed, after a paste; and an ID number typed in it never reaches the
address bar."""

import re

from playwright.sync_api import expect

from households import services
from households.models import Household
from tests.conftest import HOME_VILLAGE, committed_db
from tests.idgen import make_id_number

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
ROW_HEIGHTS = """() => [...document.querySelectorAll('#household-rows tbody tr')]
    .map(row => row.getBoundingClientRect().height)"""
HEAD_ID = make_id_number("620423", "19680315", 1)


def _register(actor, count: int) -> None:
    for _ in range(count):
        services.household_create(actor=actor, village_code=HOME_VILLAGE, poverty_status="ordinary")


@committed_db
def test_a_villages_households_are_short_rows_on_a_phone(
    visit_as, village_worker, township_cadre, household
):
    _register(township_cadre, 27)  # the demo village's 28 households: 7,663 px as cards
    visitor = visit_as(village_worker, phone=True)
    page = visitor.open("/households/")
    heights = page.evaluate(ROW_HEIGHTS)
    assert len(heights) == 28
    # Two lines a row (a third where a long status wraps), each row a tap of 44 px at least.
    assert all(44 <= height <= 100 for height in heights), heights
    assert sorted(heights)[len(heights) // 2] <= 70, heights
    assert page.evaluate(SIDEWAYS) <= 0
    assert page.evaluate("document.documentElement.scrollHeight") < 3000
    # The row is the link: a tap on its second line opens the household.
    first = page.locator("#household-rows tbody tr").first
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    first_number = first.locator("a.row-link").inner_text()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 8)
    expect(page).to_have_url(re.compile(r"/households/\d+/$"))
    assert first_number in page.content()
    visitor.shot("phone-household-list")


@committed_db
def test_the_search_refreshes_as_the_user_types_composes_and_pastes(
    visit_as, township_cadre, household
):
    _register(township_cadre, 3)
    visitor = visit_as(township_cadre, phone=True)
    page = visitor.open("/households/")
    rows = page.locator("#household-rows tbody tr")
    expect(rows).to_have_count(4)
    search = page.locator("input[name=q]")

    # Typed: one request after the pause, not one a key.
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    search.press_sequentially(household.number[-4:], delay=40)
    expect(rows).to_have_count(1)
    assert len([url for url in requests if "q=" in url]) == 1
    assert f"q={household.number[-4:]}" in page.url

    # Pinyin being composed: nothing asked for until the characters are chosen.
    search.fill("")
    page.wait_for_timeout(600)
    requests.clear()
    search.focus()
    page.evaluate(
        """() => {
        const input = document.querySelector('input[name=q]');
        input.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
        input.value = 'zhang';
        input.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true}));
        }"""
    )
    page.wait_for_timeout(800)
    assert [url for url in requests if "q=" in url] == []
    page.evaluate(
        """() => {
        const input = document.querySelector('input[name=q]');
        input.value = '张建';
        input.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true}));
        input.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '张建'}));
        }"""
    )
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("张建国")

    # Pasted (no key at all): the rows follow.
    search.fill("")
    page.wait_for_timeout(600)
    page.evaluate(
        """(text) => {
        const input = document.querySelector('input[name=q]');
        const data = new DataTransfer();
        data.setData('text/plain', text);
        input.dispatchEvent(new ClipboardEvent('paste', {bubbles: true, clipboardData: data}));
        input.value = text;
        input.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));
        }""",
        "zzz-nobody",
    )
    expect(page.locator("#household-rows")).to_contain_text("没有符合条件的农户")
    visitor.shot("phone-household-search")


@committed_db
def test_an_id_number_typed_in_the_search_never_reaches_the_address(
    visit_as, township_cadre, household
):
    _register(township_cadre, 2)
    visitor = visit_as(township_cadre, phone=True)
    page = visitor.open("/households/")
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.locator("input[name=q]").press_sequentially(HEAD_ID, delay=30)
    rows = page.locator("#household-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(household.number)
    expect(page.locator("#household-rows")).to_contain_text(HEAD_ID[:6] + "********")
    assert not any(HEAD_ID[:13] in url for url in urls), urls
    assert HEAD_ID[:13] not in page.url
    assert HEAD_ID not in page.locator("#household-rows").inner_html()
    assert Household.objects.count() == 3
    visitor.shot("phone-household-id-search")
