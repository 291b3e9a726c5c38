"""The demo county's paired cadres (结对帮扶): the village worker and the township cadre each look
after a few households, one household was handed over, and the contact logs run from recent to
overdue, so that "我的结对户" and the township's figures have something to show.

Written through the services, dated in the past as a cadre entering the records would date them.
"""

import datetime

from django.utils import timezone

from accounts.models import User
from households.models import Household
from pairings import services
from pairings.models import Pairing

TOWNSHIP = "620423100000"
# (days ago, kind, what was discussed, follow-ups), per household in turn; some are left overdue.
CONTACTS = [
    [(5, "visit", "入户走访，了解务工收入和孩子上学情况", "下月联系县人社局培训名额")],
    [
        (12, "phone", "电话询问户主术后恢复情况，已按时复查", ""),
        (70, "visit", "入户核实医疗费用票据", ""),
    ],
    [(45, "wechat", "微信沟通枸杞采摘季节工报名", "跟进是否被录用")],
    [],
    [(20, "visit", "走访了解养殖项目进展，羊羔成活良好", "联系兽医站防疫")],
    [(95, "phone", "电话了解外出务工情况", "")],
    [(3, "visit", "入户宣传防贫保险政策", "")],
]


def seed_pairings(users: dict[str, User]) -> dict[str, int]:
    if Pairing.objects.exists():
        return {"pairings": Pairing.objects.count()}
    today = timezone.localdate()
    worker, cadre = users["village"], users["township"]
    village = worker.region_id
    # The worker's own village: monitored households first, then lifted-out, then the riskiest.
    own = list(
        Household.objects.filter(village_id=village).order_by(
            "-is_monitored", "poverty_status", "-risk_score", "id"
        )[:6]
    )
    elsewhere = list(
        Household.objects.filter(village__code__startswith=TOWNSHIP[:9], is_monitored=True)
        .exclude(village_id=village)
        .order_by("-risk_score", "id")[:3]
    )
    started = today - datetime.timedelta(days=150)
    pairings = 0
    for index, household in enumerate(own + elsewhere):
        handed_over = index == 0 and household not in elsewhere
        first = cadre if handed_over or household in elsewhere else worker
        services.pairing_assign(
            actor=cadre, household_id=household.pk, cadre_id=first.pk, started_on=started
        )
        pairings += 1
        if handed_over:
            # Handed over to the village worker three months ago: the log before stays.
            services.contact_record(
                actor=cadre,
                household_id=household.pk,
                kind="visit",
                contacted_on=started + datetime.timedelta(days=7),
                summary="结对后首次入户，建立联系卡",
                follow_ups="协助申请临时救助",
            )
            services.pairing_assign(
                actor=cadre,
                household_id=household.pk,
                cadre_id=worker.pk,
                started_on=today - datetime.timedelta(days=90),
                end_reason="rotation",
                end_note="镇干部调整分工",
            )
            pairings += 1
        actor = cadre if household in elsewhere else worker
        for days_ago, kind, summary, follow_ups in CONTACTS[index % len(CONTACTS)]:
            services.contact_record(
                actor=actor,
                household_id=household.pk,
                kind=kind,
                contacted_on=today - datetime.timedelta(days=days_ago),
                summary=summary,
                follow_ups=follow_ups,
            )
    return {"pairings": pairings}
