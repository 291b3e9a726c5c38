"""The daily e-mail digest for each township's cadres: what is open in their queue."""

import datetime

from django.core.mail import send_mass_mail
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Role, User
from monitoring.selectors import alerts_for_digest


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """One message per township cadre with an e-mail address; returns how many were sent."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=1)
    messages = []
    cadres = User.objects.filter(role=Role.TOWNSHIP_CADRE, is_active=True).exclude(email="")
    for cadre in cadres:
        alerts = alerts_for_digest(cadre)
        counts = alerts.aggregate(
            open=Count("id"),
            new=Count("id", filter=Q(opened_at__gte=since)),
            high=Count("id", filter=Q(level="high")),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
        )
        if not counts["open"]:
            continue
        top = alerts.select_related("household", "household__village").order_by(
            "-score", "opened_at"
        )[:10]
        with translation.override("zh-hans"):
            subject = render_to_string("monitoring/digest_subject.txt", {"counts": counts}).strip()
            body = render_to_string(
                "monitoring/digest_body.txt", {"cadre": cadre, "counts": counts, "top": top}
            )
        messages.append((subject, body, None, [cadre.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
