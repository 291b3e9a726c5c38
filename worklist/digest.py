"""The daily digest of the roles whose work only the task list sees whole: county officers
(steps, warnings to confirm, delegations) and partners (referrals, deliveries). Registered with
monitoring's digest (monitoring/digest.py), which sends one a user a day."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from monitoring.digest import Digest, register_composer
from monitoring.messages import Message, register
from worklist.selectors import task_counts

register(
    "digest_tasks",
    Message(
        _(
            "Today you have %(total)d tasks waiting, %(overdue)d of them overdue. Please open "
            "your task list and take the overdue ones first."
        ),
        label=_("Daily digest of tasks"),
    ),
)


def tasks_digest(user: User, today: datetime.date, now: datetime.datetime) -> Digest | None:
    counts = task_counts(user, today=today).values()
    total = sum(count["total"] for count in counts)
    if not total:
        return None
    overdue = sum(count["overdue"] for count in counts)
    return Digest("digest_tasks", {"total": total, "overdue": overdue}, reverse("task-list"))


def register_digests() -> None:
    for role in (Role.COUNTY_OFFICER, Role.PARTNER):
        register_composer(role, tasks_digest)
