"""The case's public notice leaves the system on paper: each print page is recorded."""

import datetime

from django.urls import reverse

from audit.models import ExportEvent, ExportKind
from tests.assistance.conftest import (  # noqa: F401  (fixtures: the pinned clock, a case)
    case,
    clock,
    confirmed_alert,
    household,
)
from tests.assistance.test_pages import _post_notice, _post_step
from tests.conftest import client_for


def test_printing_the_notice_is_recorded(case, clock, village_worker, township_cadre):  # noqa: F811
    _post_step(village_worker, case, "consent")
    _post_step(township_cadre, case, "info_check", info_check_result="consistent")
    _post_step(village_worker, case, "deliberation")
    today = clock.today()
    _post_notice(village_worker, case, today, today + datetime.timedelta(days=4))
    url = reverse("case-notice-print", args=[case.pk])
    assert client_for(township_cadre).post(url).status_code == 200
    printed = ExportEvent.objects.get()
    assert (printed.user, printed.kind, printed.name, printed.row_count) == (
        township_cadre,
        ExportKind.PRINT,
        "case-notice",
        1,
    )
    assert printed.household_number == case.household.number
    assert printed.region_code == case.household.village_id
    assert printed.ip == "127.0.0.1"


def test_a_get_or_a_cross_site_post_of_the_notice_prints_and_records_nothing(
    case,  # noqa: F811
    clock,  # noqa: F811
    village_worker,
    township_cadre,
):
    from django.test import Client

    _post_step(village_worker, case, "consent")
    _post_step(township_cadre, case, "info_check", info_check_result="consistent")
    _post_step(village_worker, case, "deliberation")
    today = clock.today()
    _post_notice(village_worker, case, today, today + datetime.timedelta(days=4))
    url = reverse("case-notice-print", args=[case.pk])
    # The case page offers the print as a form that posts with the token.
    page = client_for(township_cadre).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert f'method="post" action="{url}"' in page
    # A link to it (an image, a prefetch, another site's page) prints and records nothing.
    assert client_for(township_cadre).get(url)["Location"] == reverse("case-detail", args=[case.pk])
    cross_site = Client(enforce_csrf_checks=True)
    cross_site.force_login(township_cadre)
    assert cross_site.post(url).status_code == 403
    assert not ExportEvent.objects.exists()
