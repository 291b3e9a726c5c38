"""The daily digest: every role that has work gets one notification a day saying how much.

Each digest is a notification (key and arguments, rendered in the reader's language) with the
dedupe key `digest:<date>`, so a beat that fires twice, or a worker that runs it again, sends
nothing more; it reaches e-mail and the county's webhooks through the notification's channels.

Monitoring composes the digests of the roles whose work it knows: a village worker's visits
(overdue, due within a week) and a township cadre's open warnings. The roles whose work lives
higher up (a county officer's overdue case steps, a partner's referrals) are composed there:
an app above registers a composer for its role with `register_composer` from its
AppConfig.ready(), and the same run sends it, once a day, with the same dedupe key.
"""

import datetime
from collections.abc import Callable

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from monitoring.selectors import alerts_for_digest, visits_due, visits_overdue
from monitoring.services.notifications import notify


class Digest:
    """What a composer returns for one user: a message key, its arguments, a link."""

    def __init__(self, key: str, arguments: dict, link: str = "") -> None:
        self.key, self.arguments, self.link = key, arguments, link


Composer = Callable[[User, datetime.date, datetime.datetime], Digest | None]


def _village_worker(user: User, today: datetime.date, now: datetime.datetime) -> Digest | None:
    overdue = visits_overdue(user, today=today).count()
    due = visits_due(user, today=today, within_days=7).count()
    if not overdue and not due:
        return None
    return Digest("digest_village", {"overdue": overdue, "due": due}, reverse("visit-lists"))


def _township_cadre(user: User, today: datetime.date, now: datetime.datetime) -> Digest | None:
    alerts = alerts_for_digest(user)
    counts = alerts.aggregate(
        open=Count("id"),
        new=Count("id", filter=Q(opened_at__gte=now - datetime.timedelta(days=1))),
        high=Count("id", filter=Q(level="high")),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
    )
    if not counts["open"]:
        return None
    top = alerts.select_related("household", "household__village").order_by("-score", "opened_at")[
        :10
    ]
    # The most urgent, for the e-mail: number, head and village only (no ID number, no phone).
    counts["top"] = [
        f"{alert.household.number} {alert.household.head_name} "
        f"({alert.household.village.short_name}): {alert.score}"
        for alert in top
    ]
    return Digest("digest_township", counts, reverse("alert-queue"))


COMPOSERS: dict[str, Composer] = {
    Role.VILLAGE_WORKER: _village_worker,
    Role.TOWNSHIP_CADRE: _township_cadre,
}


def register_composer(role: str, composer: Composer) -> None:
    """An app above monitoring adds the digest of a role whose work it knows."""
    COMPOSERS[role] = composer


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """One digest per user with work today; returns how many were made (0 on a second run)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = 0
    users = User.objects.filter(role__in=list(COMPOSERS), is_active=True, region__isnull=False)
    for user in users.order_by("pk").iterator():
        digest = COMPOSERS[user.role](user, today, now)
        if digest is None:
            continue
        made += notify(
            [user],
            key=digest.key,
            arguments=digest.arguments,
            link=digest.link,
            dedupe_key=f"digest:{today.isoformat()}",
        )
    return made
