"""A village worker on a 360×640 phone records visits when the server cannot be reached: the page
still opens, the visit waits on the phone (待同步) and arrives once when the connection returns,
also after a replay or a new login; logging out leaves nothing on the phone."""

import time

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from monitoring.models import Visit
from tests.conftest import committed_db

FIGURES = {
    "household_size": "2",
    "wage_income": "9000",
    "business_income": "2000",
    "property_income": "0",
    "transfer_income": "1200",
    "medical_spending": "3000",
    "education_spending": "0",
    "disaster_loss": "0",
}
QUEUE = "#visit-queue li.queue-item"


def ready_for_offline(worker):
    """Online once: the service worker is active with the page cached, the household list kept."""
    page = worker.page
    page.wait_for_function("() => document.getElementById('visit-queue').dataset.ready === '1'")
    deadline = time.monotonic() + 15
    while not page.evaluate(
        """async () => (await navigator.serviceWorker.ready).active !== null
              && !!(await caches.match('/visits/new/', {ignoreVary: true}))"""
    ):
        assert time.monotonic() < deadline, "the service worker never cached the visit page"
        page.wait_for_timeout(200)


class Cut:
    """The server unreachable: the phone offline and every request to it refused, the service
    worker's included (PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS, see conftest.py)."""

    def __init__(self, worker, *, offline=True, pattern="**/*"):
        self.context, self.offline, self.pattern = worker.context, offline, pattern

    @staticmethod
    def _refuse(route):
        route.abort("internetdisconnected")

    def __enter__(self):
        self.context.route(self.pattern, self._refuse)
        if self.offline:
            self.context.set_offline(True)
        return self

    def __exit__(self, *exc):
        self.context.unroute(self.pattern, self._refuse)
        if self.offline:
            self.context.set_offline(False)


def record_offline(worker, name="张建国"):
    """With no connection: the stored page, the stored household list, the blank form."""
    page = worker.page
    page.goto(worker.live_server.url + "/visits/new/")
    page.fill("#household-q", name)
    page.locator("#household-results button.pick").first.click()
    form = page.locator("#offline-visit form")
    expect(form).to_be_visible()
    for field, value in FIGURES.items():
        form.locator(f"input[name={field}]").fill(value)
    return form


def save(form):
    """Tap 保存在手机上 once it has come to rest in the middle of the screen: on a long phone page
    a click sent while the page still scrolls to it lands beside it."""
    button = form.locator("button[type=submit]")
    button.evaluate("button => button.scrollIntoView({block: 'center'})")
    button.click()


@committed_db
def test_a_visit_recorded_without_a_network_arrives_once(
    visit_as, clock, household, village_worker
):
    worker = visit_as(village_worker, phone=True)
    page = worker.open("/visits/new/")
    ready_for_offline(worker)

    with Cut(worker):
        form = record_offline(worker)
        worker.shot("01-offline-form")
        save(form)
        expect(page.locator(QUEUE)).to_have_attribute("data-state", "pending")
        worker.shot("02-waiting-to-sync")
        assert not Visit.objects.exists()

    # The connection returns: the page sends it by itself.
    expect(page.locator(QUEUE)).to_have_attribute("data-state", "synced")
    worker.shot("03-synced")
    visit = Visit.objects.get(household=household)
    assert visit.per_capita_income == 6100
    link = page.locator(f"{QUEUE} a")
    expect(link).to_have_attribute("href", f"/visits/{visit.pk}/")

    # The same queued visit sent five times more (a flaky network, two tabs): still one.
    page.evaluate(
        """async () => {
             const [item] = await DixianQueue.all();
             for (let i = 0; i < 5; i++) {
               await DixianQueue.put({...item, state: "pending"});
               await DixianOffline.sync();
             }
           }"""
    )
    expect(page.locator(QUEUE)).to_have_attribute("data-state", "synced")
    assert Visit.objects.count() == 1

    # The household list kept on the phone is this worker's: another account on the same phone
    # (after a session that expired without a logout) finds nothing in it.
    own, other = page.evaluate(
        f"""async () => [(await DixianQueue.households("{village_worker.pk}")).length,
                         (await DixianQueue.households("{village_worker.pk + 1000}")).length]"""
    )
    assert own >= 1 and other == 0


@committed_db
def test_the_ordinary_form_keeps_the_visit_when_the_server_is_unreachable(
    visit_as, clock, household, village_worker
):
    worker = visit_as(village_worker, phone=True)
    page = worker.open("/visits/new/")
    ready_for_offline(worker)
    page.goto(f"{worker.live_server.url}/visits/new/?household={household.pk}")
    for field, value in FIGURES.items():
        page.fill(f"input[name={field}]", value)

    # The phone believes it is online; the county's server does not answer.
    with Cut(worker, offline=False):
        page.locator("button[type=submit].primary").click()
        expect(page.locator(QUEUE)).to_have_attribute("data-state", "pending")
        expect(page.locator("[data-queue-notice]")).to_be_visible()
        worker.shot("01-server-unreachable-kept")
        assert not Visit.objects.exists()

    page.locator("[data-sync-now]").click()
    expect(page.locator(QUEUE)).to_have_attribute("data-state", "synced")
    worker.shot("02-sent-now")
    assert Visit.objects.filter(household=household).count() == 1


@committed_db
def test_a_sync_after_the_session_expired_waits_for_a_new_login(
    visit_as, clock, household, village_worker
):
    worker = visit_as(village_worker, phone=True)
    page = worker.open("/visits/new/")
    ready_for_offline(worker)
    with Cut(worker):
        save(record_offline(worker))
        expect(page.locator(QUEUE)).to_have_attribute("data-state", "pending")
        Session.objects.all().delete()  # the idle timeout ran out while the phone was away

    item = page.locator(QUEUE)
    expect(item).to_have_attribute("data-state", "failed")
    expect(item.locator(".reason a")).to_be_visible()
    worker.shot("01-session-expired")
    assert not Visit.objects.exists()

    item.locator(".reason a").click()  # to the login page, and back to the visit page
    page.fill("input[name=username]", village_worker.username)
    page.fill("input[name=password]", "test-password-123")
    page.click("form:has(input[name=password]) button[type=submit]")
    expect(page.locator(QUEUE)).to_have_attribute("data-state", "synced")
    worker.shot("02-synced-after-login")
    assert Visit.objects.filter(household=household).count() == 1


@committed_db
def test_logging_out_leaves_nothing_on_the_phone(visit_as, clock, household, village_worker):
    worker = visit_as(village_worker, phone=True)
    page = worker.open("/visits/new/")
    ready_for_offline(worker)
    # Back online, but the visit cannot be sent yet: logging out asks first.
    with Cut(worker, offline=False, pattern="**/api/v1/visits/"):
        with Cut(worker):
            save(record_offline(worker))
            expect(page.locator(QUEUE)).to_have_attribute("data-state", "pending")
        page.locator("[data-sync-now]").click()
        expect(page.locator(QUEUE)).to_have_attribute("data-state", "pending")
        # On a phone the logout is on the "more" page, behind the top bar's menu button.
        page.locator(".topbar .more-link").click()
        page.wait_for_url("**/more/")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.locator("main form[data-logout] button").click()
        for _ in range(50):  # the question comes once the page has counted the queue
            if asked:
                break
            page.wait_for_timeout(100)
        assert asked and "/login/" not in page.url
        assert page.url.endswith("/more/")
        worker.shot("01-logout-asks-first")

        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("main form[data-logout] button").click()
        page.wait_for_url("**/login/**")

    left = page.evaluate(
        """async () => {
             const names = (await indexedDB.databases()).map((db) => db.name);
             const workers = await navigator.serviceWorker.getRegistrations();
             return {databases: names, caches: await caches.keys(), workers: workers.length};
           }"""
    )
    worker.shot("02-logged-out")
    assert left == {"databases": [], "caches": [], "workers": 0}
    assert not Visit.objects.exists()
