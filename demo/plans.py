"""The demo county's household development plans (一户一策): most households of the township
(monitored ones first) have one, agreed some months ago; some were reviewed on later visits (a few
commitments not kept), and a few are overdue for their quarterly review.

Written through the services, dated in the past as a cadre entering the records would date them.
"""

import datetime

from django.utils import timezone

from accounts.models import User
from assistance.models import Measure
from development.models import DevelopmentPlan
from development.selectors.plans import adult_members
from development.services import plans as services
from households.selectors import households_visible_to
from monitoring.models import Visit

# (area, goal in the household's words, target, household's commitment, assistance's commitment)
GOALS = [
    (
        "work",
        "家里的劳动力到县城稳定务工",
        "每月收入3000元以上",
        "参加县人社局的电焊培训",
        "推荐到工业园区企业就业",
    ),
    (
        "income",
        "扩大养羊规模增加收入",
        "年底存栏20只",
        "按时防疫，参加养殖合作社",
        "协调产业帮扶资金购买基础母羊",
    ),
    ("schooling", "孩子读完高中", "不辍学", "保证孩子按时上学", "落实雨露计划和教育资助"),
    (
        "skills",
        "学会种植枸杞的修剪技术",
        "取得培训结业证",
        "参加乡里的技术培训",
        "联系农技站上门指导",
    ),
    ("income", "种好五亩枸杞", "亩收入4000元", "按技术要求管护", "对接消费帮扶销售渠道"),
]
# Ratings of the household's commitment, review by review: some not kept, with why.
HOUSEHOLD_RATINGS = [
    ("kept", ""),
    ("partly", "农忙只参加了一半课程"),
    ("not_kept", "外出打零工没有参加"),
]
GOAL_RATINGS = [("on_track", "进展正常"), ("behind", "收入还没达到目标"), ("reached", "")]


def seed_plans(users: dict[str, User]) -> dict[str, int]:
    if DevelopmentPlan.objects.exists():
        return {"plans": DevelopmentPlan.objects.count(), "reviews": 0}
    today = timezone.localdate()
    worker, cadre = users["village"], users["township"]
    # The township's households, monitored first (a small demo county has few of them).
    households = list(
        households_visible_to(cadre).order_by("-is_monitored", "-risk_score", "id")[:40]
    )
    plans = reviews = 0
    for index, household in enumerate(households):
        if index % 6 == 5:
            continue  # not every household has its plan yet: "start a plan" shows on its page
        # Agreed 40 to 260 days ago: the older ones without a later review are overdue.
        agreed_on = today - datetime.timedelta(days=40 + (index * 37) % 220)
        adults = list(adult_members(household, agreed_on).order_by("id")[:1])
        if not adults:
            continue
        plan = services.plan_create(actor=cadre, household_id=household.pk)
        measures = list(
            Measure.objects.filter(case__household=household).values_list("pk", flat=True)[:1]
        )
        for offset in range(1 + index % 2):
            area, goal_text, target, mine, theirs = GOALS[(index + offset) % len(GOALS)]
            goal = services.goal_save(
                actor=cadre,
                plan_id=plan.pk,
                version=None,
                area=area,
                description=goal_text,
                target=target,
                target_date=agreed_on + datetime.timedelta(days=365),
            )
            services.commitment_save(
                actor=cadre,
                plan_id=plan.pk,
                version=None,
                goal_id=goal.pk,
                party="household",
                description=mine,
                member_id=adults[0].pk,
                due=agreed_on + datetime.timedelta(days=90),
            )
            services.commitment_save(
                actor=cadre,
                plan_id=plan.pk,
                version=None,
                goal_id=goal.pk,
                party="assistance",
                description=theirs,
                measure_id=measures[0] if measures and offset == 0 else None,
            )
        services.plan_agree(
            actor=cadre,
            plan_id=plan.pk,
            version=None,
            member_id=adults[0].pk,
            method=("signature", "thumbprint", "spoken")[index % 3],
            witness="村委会主任" if index % 3 == 2 else "",
            agreed_on=agreed_on,
        )
        plans += 1
        # Up to three reviews, on the household's visits since the agreement, a quarter apart.
        visits = Visit.objects.filter(household=household, visited_on__gte=agreed_on).order_by(
            "visited_on"
        )
        last = None
        for visit in visits:
            if index % 4 == 3:
                break  # left unreviewed: overdue once three months have passed
            if last is not None and (visit.visited_on - last).days < 80:
                continue
            plan.refresh_from_db()
            ratings = {}
            for number, goal in enumerate(plan.goals.all()):
                ratings[f"goal-{goal.pk}"] = GOAL_RATINGS[(index + number) % len(GOAL_RATINGS)]
            for number, commitment in enumerate(plan.commitments.all()):
                if commitment.party == "household":
                    rating = HOUSEHOLD_RATINGS[(index + number) % len(HOUSEHOLD_RATINGS)]
                else:
                    rating = ("kept", "")
                ratings[f"commitment-{commitment.pk}"] = rating
            reviewer = worker if household.village_id == worker.region_id else cadre
            services.plan_review(
                actor=reviewer,
                plan_id=plan.pk,
                visit_id=visit.pk,
                ratings=ratings,
                notes="入户回顾帮扶计划执行情况",
            )
            reviews += 1
            last = visit.visited_on
            if plan.reviews.count() >= 3:
                break
    return {"plans": plans, "reviews": reviews}
