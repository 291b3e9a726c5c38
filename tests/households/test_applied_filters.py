"""A list opened from a dashboard figure says which filters it carries, each a chip that drops
it: a visit due before a day (no field of the list's form), a region named by its full code."""

import re
from html import unescape

from django.utils.html import strip_tags

from tests.conftest import HOME_VILLAGE, client_for


def chips(page: str) -> list[tuple[str, str]]:
    """(text, link) of each applied filter's chip."""
    found = re.findall(
        r'<a class="chip chosen" href="\?([^"]*)"[^>]*>(.*?)</a>', page.split("applied-filters")[1]
    )
    return [(strip_tags(unescape(text)).replace(" ×", "").strip(), link) for link, text in found]


def test_the_list_names_its_filters_and_each_chip_drops_one(township_cadre, household):
    client = client_for(township_cadre)
    page = client.get(
        "/households/",
        {"region": HOME_VILLAGE, "risk_level": ["high", "medium"], "due_before": "2026-12-01"},
    ).content.decode()
    shown = dict(chips(page))
    assert shown.keys() == {"区划代码：水源村", "风险等级：高、中", "应走访日期早于：2026年12月1日"}
    # Each chip's link keeps the other filters and drops its own.
    assert "due_before" not in shown["应走访日期早于：2026年12月1日"]
    assert "region=" + HOME_VILLAGE in shown["应走访日期早于：2026年12月1日"]
    assert "risk_level" not in shown["风险等级：高、中"]


def test_a_chip_starts_the_list_again_from_its_first_page(township_cadre, household):
    page = (
        client_for(township_cadre)
        .get("/households/", {"risk_level": "high", "due_before": "2026-12-01", "page": "1"})
        .content.decode()
    )
    assert all("page=" not in link and "cursor=" not in link for _, link in chips(page))


def test_an_unfiltered_list_shows_no_chips(township_cadre, household):
    page = client_for(township_cadre).get("/households/").content.decode()
    assert "applied-filters" not in page
