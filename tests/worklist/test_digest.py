"""The daily digest reaches the roles whose work the task list knows: county officers, partners."""

import pytest

from assistance.services.measures import MeasurePlan, measure_create
from monitoring.digest import send_digests
from monitoring.models import Notification

pytestmark = pytest.mark.django_db


def test_a_partner_with_a_referral_to_answer_gets_one_digest_a_day(
    case, township_cadre, partner, partner_org, county_officer
):
    measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="employment",
            title="枸杞基地季节工",
            responsible_id=township_cadre.pk,
            planned_start=case.proposed_on,
            partner_id=partner_org.pk,
        ),
    )
    send_digests()
    send_digests()  # a second run the same day sends nothing new

    [digest] = Notification.objects.filter(user=partner, message_key="digest_tasks")
    assert digest.arguments == {"total": 1, "overdue": 0}
    assert digest.link == "/tasks/"
    assert "1" in digest.rendered
    # The county officer has nothing waiting here: no digest.
    assert not Notification.objects.filter(user=county_officer, message_key="digest_tasks")
