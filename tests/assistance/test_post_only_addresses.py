"""A form's address opened as a page (core/post_only.py): a reload after an edit conflict, a tab
reopened on a phone, the login after a session ended mid-form. The person lands on the page the
form is on, told nothing was done, never on the browser's blank 405."""

import pytest
from django.urls import reverse

from assistance.models import Case
from core.post_only import page_above
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_an_actions_address_leads_to_the_page_its_form_is_on(case, township_cadre):
    client = client_for(township_cadre)
    page = reverse("case-detail", args=[case.pk])
    for action in ("case-elimination", "case-civil-affairs-refer", "case-comment-post"):
        response = client.get(reverse(action, args=[case.pk]), follow=True)
        assert response.redirect_chain == [(page, 302)], action
        assert "只接收从页面提交的表单" in response.content.decode()
    assert "只接收从页面提交的表单" not in client.get(page).content.decode()  # said once
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.version) == (case.status, case.version)  # nothing done


def test_the_page_above_is_the_nearest_the_site_serves():
    assert page_above("/cases/3/steps/home_verification/") == "/cases/3/"
    assert page_above("/alerts/bulk/") == "/alerts/"
    assert page_above("/no/such/thing/") == "/"


def test_machines_and_fragments_still_get_the_status(case, township_cadre):
    client = client_for(township_cadre)
    url = reverse("case-elimination", args=[case.pk])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 405
    assert client.post(url, {}).status_code == 400  # the form, with its errors, on the case page
    assert client.get("/api/v1/members/lookup/").status_code == 405


def test_a_person_who_may_not_see_the_case_is_refused_by_its_page(case, partner):
    client = client_for(partner)
    response = client.get(reverse("case-elimination", args=[case.pk]), follow=True)
    assert response.status_code in (403, 404)


def test_a_form_address_under_another_leads_on_and_says_it_once(case, township_cadre):
    # /cases/<pk>/notice/post/ → /cases/<pk>/notice/ (a form's address too) → the case page.
    response = client_for(township_cadre).get(
        reverse("case-notice-post", args=[case.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("case-detail", args=[case.pk])
    assert response.content.decode().count("只接收从页面提交的表单") == 1


def test_a_page_that_takes_no_head_is_not_a_forms_address(township_cadre):
    # GET-only views answer HEAD 405 with "Allow: GET": a link checker is told so, not sent on.
    response = client_for(township_cadre).head("/tasks/")  # worklist.views: require_GET
    assert (response.status_code, response["Allow"]) == (405, "GET")
