"""The page's frame on a phone (issue 18): the role's tab bar at the bottom, the back link and
the page's name in the top bar, and the "more" page with the whole menu and the account."""

import re

import pytest
from django.test import Client

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def tabs(response) -> list[tuple[str, str, bool]]:
    bar = re.search(r'<nav class="tabbar"[^>]*>(.*?)</nav>', response.content.decode(), re.S)
    assert bar, "no tab bar"
    return [
        (label, href, bool(current))
        for href, current, label in re.findall(
            r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', bar.group(1)
        )
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "village_worker",
            [
                ("今日待办", "/"),
                ("农户", "/households/"),
                ("录入走访", "/visits/"),
                ("预警", "/alerts/"),
            ],
        ),
        (
            "township_cadre",
            [
                ("待办", "/"),
                ("预警", "/alerts/"),
                ("监测档案", "/cases/"),
                ("农户", "/households/"),
            ],
        ),
        (
            "county_officer",
            [
                ("首页", "/"),
                ("监测档案", "/cases/"),
                ("预警", "/alerts/"),
                ("农户", "/households/"),
            ],
        ),
        ("partner", [("首页", "/"), ("需求", "/needs/"), ("帮扶措施", "/measures/")]),
        (
            "auditor",
            [("首页", "/"), ("审计", "/audit/"), ("监测档案", "/cases/"), ("农户", "/households/")],
        ),
    ],
)
def test_each_role_has_its_own_tabs_and_the_home_tab_is_current_at_home(request, role, expected):
    user = request.getfixturevalue("partner" if role == "partner" else role)
    response = client_for(user).get("/")

    assert response.status_code == 200
    found = tabs(response)
    assert [(label, href) for label, href, _current in found] == expected
    assert [current for _label, _href, current in found] == [True] + [False] * (len(expected) - 1)


def test_the_tab_of_a_page_below_it_is_current_and_the_back_link_leads_to_its_list(
    village_worker, household
):
    response = client_for(village_worker).get(f"/households/{household.pk}/")

    current = [label for label, _href, current in tabs(response) if current]
    assert current == ["农户"]
    html = response.content.decode()
    assert '<a class="back phone-only" href="/households/">' in html
    # The page's name, from its {% block title %}, once more in the top bar.
    title = re.search(r"<title>(.*?) · ", html, re.S).group(1).strip()
    assert f'<span class="page-name phone-only" translate="no">{title}</span>' in html


def test_a_page_of_the_menu_has_no_back_link(village_worker):
    html = client_for(village_worker).get("/households/").content.decode()

    assert 'class="back' not in html


def test_the_more_page_has_the_whole_menu_and_the_account(village_worker):
    response = client_for(village_worker).get("/more/")

    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<main>") :]
    for href in ("/households/", "/visits/", "/alerts/", "/cases/", "/pairings/mine/"):
        assert f'<a href="{href}">' in main
    for href in ("/notifications/", "/account/password/", "/account/two-factor/", "/api/docs/"):
        assert f'href="{href}"' in main
    for text in ("修改密码", "双因素登录", "API 文档", "通知", "English"):
        assert text in main
    # The logout keeps offline.js's question about visits not yet sent (docs/offline.md).
    assert re.search(
        r'<form class="more-logout" method="post" action="/logout/" data-logout '
        r'data-pending-confirm="[^"]+">',
        main,
    )
    # Only a user with API tokens sees their list.
    assert "/account/tokens/" not in main


def test_the_more_page_lists_api_tokens_for_an_api_client(api_client_user):
    main = client_for(api_client_user).get("/more/").content.decode().split("<main>")[1]

    assert 'href="/account/tokens/"' in main


def test_the_api_docs_are_in_the_desktop_menu_but_no_tab(township_cadre):
    response = client_for(township_cadre).get("/")

    assert "/api/docs/" in [url for _label, url in response.context["nav_items"]]
    assert all(href != "/api/docs/" for _label, href, _current in tabs(response))


def test_anonymous_is_sent_to_login_from_the_more_page():
    response = Client().get("/more/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_login_page_has_no_tab_bar():
    html = Client().get("/login/").content.decode()

    assert 'class="tabbar"' not in html
    assert 'name="language"' in html
