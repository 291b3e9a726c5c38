"""Queueing a task after the transaction commits, by the task's name.

By name, so that a lower layer (the registry, the import) can ask for work done by a higher one
(the engine) without importing it. A broker that cannot be reached loses nothing: whoever asks
first records the request in the database, and a periodic sweep picks up what was not queued.
"""

import logging
from collections.abc import Sequence
from typing import Any

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Task names, so callers need not import the modules that define the tasks.
EVALUATE_HOUSEHOLD = "monitoring.tasks.evaluate_household"
EVALUATE_PENDING = "monitoring.tasks.evaluate_pending"
SCAN_CHUNK = "monitoring.tasks.scan_chunk"
AREA_EVENT_LIST = "monitoring.tasks.area_event_list"
NOTIFICATION_DELIVER = "monitoring.tasks.notification_deliver"
WEBHOOK_DELIVER = "monitoring.tasks.webhook_deliver"
NOTIFICATION_EMAIL_SEND = "monitoring.tasks.notification_email_send"
IMPORT_JOB_CHECK = "spreadsheets.tasks.import_job_check"
IMPORT_JOB_IMPORT = "spreadsheets.tasks.import_job_import"
EXPORT_JOB_WRITE = "spreadsheets.tasks.export_job_write"


def enqueue(task_name: str, args: Sequence[Any], queue: str) -> None:
    try:
        # No publish retries: a village worker's request must not hang on a dead broker.
        current_app.send_task(task_name, args=list(args), queue=queue, retry=False)
    except (OperationalError, OSError) as error:
        logger.warning("broker unavailable, %s left for the sweep: %s", task_name, error)


def enqueue_after_commit(task_name: str, args: Sequence[Any], queue: str) -> None:
    transaction.on_commit(lambda: enqueue(task_name, args, queue))
