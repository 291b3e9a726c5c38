import pytest
from django.core import mail

from monitoring import scans
from monitoring.digest import send_digests
from monitoring.models import Notification
from monitoring.services.notifications import notification_deliver, notification_email_send
from tests.monitoring.conftest import TODAY, poor_figures, record

pytestmark = pytest.mark.django_db


def deliver_pending() -> None:
    """What the worker does on commit: the channels, then each e-mail's own task."""
    for pk in Notification.objects.filter(channels_pending=True).values_list("pk", flat=True):
        notification_deliver(pk)
    for pk in Notification.objects.filter(email_state="queued").values_list("pk", flat=True):
        notification_email_send(pk)


def test_each_township_cadre_gets_a_digest_of_their_open_warnings(
    village_worker, township_cadre, other_township_cadre, household
):
    township_cadre.email, other_township_cadre.email = "cadre@example.cn", "other@example.cn"
    township_cadre.save()
    other_township_cadre.save()
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    Notification.objects.all().delete()
    assert send_digests() >= 1
    deliver_pending()
    to_cadres = [m for m in mail.outbox if m.to != [village_worker.email]]
    assert len(to_cadres) == 1
    message = to_cadres[0]
    assert message.to == ["cadre@example.cn"]
    assert "1 条未关闭的风险预警" in message.subject
    assert household.number in message.body and "张建国" in message.body


def test_a_village_worker_and_a_township_cadre_get_one_digest_a_day(
    village_worker, township_cadre, household
):
    record(village_worker, household, **poor_figures(visited_on=TODAY))
    scans.evaluate_one(household.pk, as_of=TODAY)
    # The household is due a visit again; the worker's digest counts it.
    household.__class__.objects.filter(pk=household.pk).update(
        next_visit_due=TODAY - __import__("datetime").timedelta(days=3)
    )
    Notification.objects.all().delete()
    first = send_digests()
    assert first == 2
    assert send_digests() == 0  # the beat fired twice, or a worker ran it again
    worker_digest = Notification.objects.get(user=village_worker)
    cadre_digest = Notification.objects.get(user=township_cadre)
    assert worker_digest.message_key == "digest_village"
    assert worker_digest.arguments == {"overdue": 1, "due": 0}
    assert worker_digest.dedupe_key == cadre_digest.dedupe_key == f"digest:{TODAY.isoformat()}"
    assert cadre_digest.message_key == "digest_township" and cadre_digest.arguments["open"] == 1
    assert "1 户逾期未走访" in worker_digest.rendered
