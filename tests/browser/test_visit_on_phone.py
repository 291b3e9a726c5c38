"""A village worker on a 360×640 phone finds a household and records a visit; sent twice, it is
stored once."""

from monitoring.models import Visit
from tests.conftest import committed_db


@committed_db
def test_a_village_worker_records_a_visit_on_a_phone(visit_as, clock, household, village_worker):
    worker = visit_as(village_worker, phone=True)
    page = worker.open("/visits/new/")
    page.fill("#household-q", "张建国")
    page.locator("a.pick").first.click()
    page.wait_for_load_state()
    worker.shot("01-visit-form")
    figures = {
        "household_size": "2",
        "wage_income": "9000",
        "business_income": "2000",
        "property_income": "0",
        "transfer_income": "1200",
        "medical_spending": "3000",
        "education_spending": "0",
        "disaster_loss": "0",
    }
    for name, value in figures.items():
        page.fill(f"input[name={name}]", value)
    form_url = page.url
    sent = page.evaluate(
        "() => Object.fromEntries(new FormData(document.querySelector('form[method=post]')))"
    )
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state()
    assert "/visits/" in page.url and "/new/" not in page.url
    worker.shot("02-visit-saved")
    visit = Visit.objects.get(household=household)
    assert visit.per_capita_income == 6100  # (9000 + 2000 + 1200) / 2

    # The phone sends the same form again (a retry on a bad network): nothing is added.
    again = page.request.post(form_url, form=sent)
    assert again.ok
    assert Visit.objects.filter(household=household).count() == 1
