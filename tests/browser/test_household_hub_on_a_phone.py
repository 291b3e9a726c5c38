"""The household page (the hub) on a 360-pixel phone: the risk and the buttons first, sections
folded behind summaries a thumb can tap (44 pixels), nothing scrolling sideways; on a desk the
sections are open."""

from urllib.parse import parse_qs, urlparse

from django.contrib.sessions.models import Session

from pairings import services as pairing_services
from tests.conftest import committed_db

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@committed_db
def test_the_hub_folds_and_unfolds_on_a_phone(visit_as, village_worker, township_cadre, household):
    pairing_services.pairing_assign(
        actor=township_cadre, household_id=household.pk, cadre_id=village_worker.pk
    )
    visitor = visit_as(village_worker, phone=True)
    errors: list[str] = []  # a CSP violation is reported as a console error
    visitor.page.on(
        "console", lambda message: message.type == "error" and errors.append(message.text)
    )
    page = visitor.open(f"/households/{household.pk}/")
    # The buttons of what the worker may do here, each a tap target.
    for label in ("录入走访", "农户申报", "记录联系"):
        button = page.locator(".hub-actions a", has_text=label)
        assert button.bounding_box()["height"] >= 44, label
    # The timeline is open; the other sections are folded, each summary a 44-pixel tap.
    assert page.locator("details#timeline").get_attribute("open") is not None
    members = page.locator("details#members")
    assert members.get_attribute("open") is None
    for summary in page.locator("details.fold > summary").all():
        assert summary.bounding_box()["height"] >= 44
    assert not page.locator("details#members table").is_visible()
    members.locator("summary").click()
    assert page.locator("details#members table").is_visible()
    assert "张建国" in page.locator("details#members").inner_text()
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-household-hub-members-open")
    members.locator("summary").click()
    assert not page.locator("details#members table").is_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    assert errors == []


@committed_db
def test_the_hub_opens_its_sections_on_a_desk(visit_as, township_cadre, household):
    visitor = visit_as(township_cadre)
    page = visitor.open(f"/households/{household.pk}/")
    page.wait_for_function("document.querySelector('details#members').open")
    assert page.locator("details#members table").is_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("desk-household-hub")


@committed_db
def test_the_history_is_read_when_its_fold_is_first_opened(visit_as, township_cadre, household):
    history_url = f"/households/{household.pk}/history/"
    for phone in (True, False):
        visitor = visit_as(township_cadre, phone=phone)
        asked: list[str] = []
        visitor.page.on("request", lambda request, asked=asked: asked.append(request.url))
        page = visitor.open(f"/households/{household.pk}/")
        history = page.locator("details.fold", has=page.locator("summary h2", has_text="变更记录"))
        assert history.get_attribute("open") is None  # folded on a phone and on a desk
        assert not [url for url in asked if url.endswith(history_url)]
        with page.expect_response(lambda response: response.url.endswith(history_url)):
            history.locator("summary").click()
        history.locator("ol.history li").first.wait_for()
        assert "新建了" in history.inner_text()  # the changes, in the page's language
        assert history.locator("ol.history").count() == 1  # the fragment, not a page in a page
        assert page.evaluate(SIDEWAYS) <= 0
        visitor.shot(f"{'phone' if phone else 'desk'}-household-history-open")
        # Folded and opened again, it is not read a second time.
        history.locator("summary").click()
        history.locator("summary").click()
        assert len([url for url in asked if url.endswith(history_url)]) == 1


@committed_db
def test_a_fold_opened_after_the_session_ended_takes_the_page_to_the_login(
    visit_as, village_worker, household
):
    visitor = visit_as(village_worker, phone=True)
    page = visitor.open(f"/households/{household.pk}/")
    Session.objects.all().delete()  # the idle limit passed while the phone lay in a pocket
    history = page.locator("details.fold", has=page.locator("summary h2", has_text="变更记录"))
    history.locator("summary").click()
    page.wait_for_url("**/login/?**")
    # The whole page, not a login form inside the fold; back to the household page, not to
    # the bare fragment, once signed in.
    assert page.locator("details.fold").count() == 0
    assert parse_qs(urlparse(page.url).query)["next"] == [f"/households/{household.pk}/"]
    visitor.shot("phone-fold-after-session-ended")
    page.fill("input[name=username]", village_worker.username)
    page.fill("input[name=password]", "test-password-123")
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(f"**/households/{household.pk}/")
    assert page.locator("details.fold summary h2", has_text="变更记录").count() == 1


def _case_from_a_self_report(household, village_worker, township_cadre):
    """The household's self-report walked to a case: assigned, verified, confirmed, proposed."""
    from assistance.models import CaseOrigin
    from assistance.services import cases as case_services
    from monitoring.services import alerts as alert_services

    alert = alert_services.self_report_record(
        actor=village_worker, household_id=household.pk, report="户主住院，医疗费用高"
    )
    alert = alert_services.alert_assign(
        actor=township_cadre, alert=alert, version=alert.version, assignee_id=village_worker.pk
    )
    alert = alert_services.alert_verify(
        actor=village_worker, alert=alert, version=alert.version, result="true"
    )
    alert = alert_services.alert_confirm(actor=township_cadre, alert=alert, version=alert.version)
    return case_services.case_propose(
        actor=township_cadre,
        household_id=household.pk,
        origin=CaseOrigin.ALERT,
        alert_id=alert.pk,
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病",
        responsible_id=township_cadre.pk,
    )


@committed_db
def test_a_warning_that_became_a_case_keeps_the_phone_page_from_scrolling_sideways(
    visit_as, village_worker, township_cadre, household
):
    # Its timeline badge says when: "已转入监测帮扶（2026年12月6日）", wider than a phone's row.
    _case_from_a_self_report(household, village_worker, township_cadre)
    visitor = visit_as(village_worker, phone=True)
    page = visitor.open(f"/households/{household.pk}/")
    badge = page.locator("ol.hub-timeline .entry-badges span", has_text="已转入监测帮扶")
    assert "（" in badge.inner_text()  # the long form, with its day
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-household-hub-case-badge")


@committed_db
def test_a_forms_address_reopened_on_a_phone_lands_on_its_page_not_a_blank_405(
    visit_as, village_worker, township_cadre, household
):
    # A tab reopened, a reload after "请刷新页面": the browser asks the form's address by GET
    # (core/post_only.py).
    case = _case_from_a_self_report(household, village_worker, township_cadre)
    visitor = visit_as(township_cadre, phone=True)
    page = visitor.open(f"/cases/{case.pk}/elimination/")
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert "只接收从页面提交的表单，刚才没有执行任何操作" in page.inner_text("body")
    assert page.evaluate(SIDEWAYS) <= 0
    visitor.shot("phone-form-address-reopened")
