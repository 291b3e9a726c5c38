"""The one pager of the list pages keeps a page's other parameters when paging."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.pagination import PagerLinks, numbered_page
from households.models import Region

pytestmark = pytest.mark.django_db


def test_a_numbered_page_keeps_the_filters_and_names_the_page_once():
    request = RequestFactory().get("/cases/", {"q": "王", "show": "all", "page": "2"})
    page = numbered_page(request, Region.objects.order_by("code"), page_size=2)
    assert page.number == 2
    assert page.next_query == "q=%E7%8E%8B&show=all&page=3"
    assert page.previous_query == "q=%E7%8E%8B&show=all&page=1"
    assert page.first_query == "q=%E7%8E%8B&show=all"
    html = render_to_string("includes/pager.html", {"page": page})
    assert 'href="?q=%E7%8E%8B&amp;show=all&amp;page=3"' in html
    links = re.findall(r'href="([^"]*)"', html)
    assert links and all(link.count("page=") == 1 for link in links)
    # The page numbers around this one, each a link but this page's own.
    assert 'href="?q=%E7%8E%8B&amp;show=all&amp;page=1"' in html
    assert '<span class="page-number" aria-current="page">2</span>' in html


def test_the_first_page_has_no_link_back():
    request = RequestFactory().get("/cases/", {"show": "all"})
    page = numbered_page(request, Region.objects.order_by("code"), page_size=2)
    assert (page.previous_query, page.first_query) == (None, None)
    assert 'rel="prev"' not in render_to_string("includes/pager.html", {"page": page})


def test_a_single_page_shows_no_pager():
    assert "<nav" not in render_to_string("includes/pager.html", {"page": PagerLinks()})
    request = RequestFactory().get("/cases/")
    page = numbered_page(request, Region.objects.filter(code="620423000000"), page_size=2)
    assert "<nav" not in render_to_string("includes/pager.html", {"page": page})
