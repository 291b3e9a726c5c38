"""Pages the new layout moved or finished, as their users see them on a 360×740 phone and on a
desktop: the home page (now the dashboards'), the warning queue with its one pager, and the signal
desk, where a cadre opens a waiting signal and links it to a household of the township."""

import datetime

from monitoring.models import Signal, SignalKind, SignalSource
from tests.conftest import committed_db

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@committed_db
def test_the_moved_and_finished_pages_fit_a_phone_and_the_signal_desk_matches(
    visit_as, township_cadre, household
):
    signal = Signal.objects.create(
        source=SignalSource.MEDICAL_INSURANCE,
        external_id="MI-2026-0042",
        kind=SignalKind.LARGE_MEDICAL_EXPENSE,
        id_number_masked="620423********0017",
        occurred_on=datetime.date(2026, 11, 20),
        amount=18500,
        detail="住院费用",
        status=Signal.Status.UNMATCHED,
        received_by=township_cadre,
    )
    for phone in (True, False):
        visitor = visit_as(township_cadre, phone=phone)
        screen = "phone" if phone else "desktop"
        pages = (
            ("home", "/"),
            ("warnings", "/alerts/"),
            ("signals", "/signals/"),
            ("signal", f"/signals/{signal.pk}/"),
        )
        for name, path in pages:
            page = visitor.open(path)
            assert page.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways on the {screen}"
            visitor.shot(f"{screen}-{name}")

    # The desk's first answer, open on the signal's page: it is about a registered household.
    page.fill("input[name=link-household_number]", household.number)
    with page.expect_navigation():
        page.click("details[open] form button[type=submit]")
    signal.refresh_from_db()
    assert (signal.status, signal.household_id) == (Signal.Status.MATCHED, household.pk)
    visitor.shot("desktop-signals-after-matching")
