"""Tasks are queued by name from layers below the ones that define them (core/queueing.py), so
no import would fail if a task were renamed or moved: this test is what notices."""

import pytest

from config.celery import app
from core import queueing

NAMES = [value for name, value in vars(queueing).items() if name.isupper()]


def test_every_task_name_is_collected():
    assert len(NAMES) >= 5


@pytest.mark.parametrize("task_name", NAMES)
def test_every_task_queued_by_name_is_a_task_the_workers_know(task_name):
    app.loader.import_default_modules()
    assert task_name in app.tasks
