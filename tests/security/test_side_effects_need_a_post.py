"""A GET changes nothing (issue 14, low finding "GETs with side effects").

A link on another site, an image tag or a browser's prefetch makes a GET with the user's
cookies: it used to mark all the user's notifications read and to write an export record to the
audit trail. Those are POSTs now, behind Django's CSRF check.
"""

import pytest
from django.test import Client

from audit.models import ExportEvent
from monitoring.models import Notification
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _cross_site(user) -> Client:
    """A browser sending the user's session cookie from a page of another site: no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def unread(village_worker, township_cadre):
    mine = [
        Notification.objects.create(
            user=village_worker, text=f"分配给您的预警 {n}", link="/alerts/"
        )
        for n in range(2)
    ]
    theirs = Notification.objects.create(user=township_cadre, text="别人的通知")
    return mine, theirs


def _unread_ids(user) -> set[int]:
    return set(
        Notification.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True)
    )


def test_listing_notifications_leaves_them_unread(village_worker, unread):
    response = client_for(village_worker).get("/notifications/")
    assert response.status_code == 200
    assert "分配给您的预警 0" in response.content.decode()
    assert _unread_ids(village_worker) == {n.pk for n in unread[0]}


def test_notifications_are_marked_read_one_or_all_by_a_post(village_worker, township_cadre, unread):
    mine, theirs = unread
    client = client_for(village_worker)
    page = client.get("/notifications/").content.decode()
    assert "全部标为已读" in page and "标为已读" in page
    # One, by its id; another user's id marks nothing.
    assert client.post("/notifications/", {"notification": mine[0].pk}).status_code == 302
    assert client.post("/notifications/", {"notification": theirs.pk}).status_code == 302
    assert _unread_ids(village_worker) == {mine[1].pk}
    assert _unread_ids(township_cadre) == {theirs.pk}
    assert client.post("/notifications/").status_code == 302
    assert _unread_ids(village_worker) == set()
    assert _unread_ids(township_cadre) == {theirs.pk}


def test_a_cross_site_post_cannot_mark_notifications_read(village_worker, unread):
    assert _cross_site(village_worker).post("/notifications/").status_code == 403
    assert _unread_ids(village_worker) == {n.pk for n in unread[0]}


@pytest.mark.parametrize(
    "kind", ["households", "visits", "alerts", "cases", "measures", "partners"]
)
def test_a_get_of_an_export_is_refused_and_records_nothing(township_cadre, household, kind):
    response = client_for(township_cadre).get(f"/export/{kind}.xlsx")
    assert response.status_code == 302  # to a page of the site (core/post_only.py), nothing done
    assert not ExportEvent.objects.exists()


def test_a_cross_site_post_of_an_export_is_refused_and_records_nothing(township_cadre, household):
    response = _cross_site(township_cadre).post("/export/households.xlsx")
    assert response.status_code == 403
    assert not ExportEvent.objects.exists()


def test_the_list_page_exports_by_a_post_with_the_token_and_its_filters(township_cadre, household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(township_cadre)
    page = client.get("/households/?poverty_status=lifted_out")
    token = page.context["csrf_token"]
    content = page.content.decode()
    assert 'method="post" action="/export/households.xlsx?poverty_status=lifted_out"' in content
    response = client.post(
        "/export/households.xlsx?poverty_status=lifted_out", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    export = ExportEvent.objects.get()
    assert (export.user, export.filters) == (township_cadre, {"poverty_status": "lifted_out"})
