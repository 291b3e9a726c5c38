"""Through the queue: a real worker mails a notification through a mail server that refuses
twice (421, try again later); the third try, after growing pauses, sends it, once."""

import pytest

from monitoring.models import Notification
from monitoring.services.notifications import notify
from tests import workers
from tests.conftest import committed_db
from tests.workers import wait_for

pytestmark = committed_db


@pytest.fixture(scope="module")
def mail_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def email_worker(django_db_setup, tmp_path_factory, mail_folder):
    # The worker is another process: it reads these from its environment (config/settings.py).
    environment = {
        "DIXIAN_EMAIL_BACKEND": "tests.monitoring.flaky_mail.FileFlakyBackend",
        "DIXIAN_EMAIL_RETRY_BACKOFF_SECONDS": "1",
        "DIXIAN_TEST_MAIL_DIR": str(mail_folder),
        "DIXIAN_TEST_MAIL_FAILURES": "2",
    }
    with workers.module_worker(tmp_path_factory, environment=environment) as process:
        yield process


def test_the_worker_retries_the_mail_server_until_the_email_is_sent_once(
    email_worker, mail_folder, village_worker
):
    village_worker.email = "worker@example.cn"
    village_worker.save()
    notify([village_worker], key="area_signal", arguments={"region": "水源村", "count": 12})
    row = wait_for(
        lambda: Notification.objects.filter(email_state="sent").first(),
        timeout=60,
        message="the e-mail",
    )
    assert row.email_attempts == 3 and row.email_error == ""
    assert len(list(mail_folder.glob("failed-*"))) == 2
    [sent] = mail_folder.glob("sent-*")
    assert "水源村" in sent.read_text()
