import pytest
from django.core import mail

from monitoring import scans
from monitoring.digest import send_digests
from tests.monitoring.conftest import TODAY, poor_figures, record

pytestmark = pytest.mark.django_db


def test_each_township_cadre_gets_a_digest_of_their_open_warnings(
    village_worker, township_cadre, other_township_cadre, household
):
    township_cadre.email, other_township_cadre.email = "cadre@example.cn", "other@example.cn"
    township_cadre.save()
    other_township_cadre.save()
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    assert send_digests() == 1
    message = mail.outbox[0]
    assert message.to == ["cadre@example.cn"]
    assert "1 条未关闭的风险预警" in message.subject
    assert household.number in message.body and "张建国" in message.body
