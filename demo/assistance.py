"""The demo county's partners, offers and cases, so that a first look finds every page in use.

Cases that are still moving are opened and moved through the services, as a cadre would. A case
enrolled months ago is written as the record it would have left (its steps dated in the past),
since no service can act in the past.
"""

import datetime
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assistance import steps
from assistance.models import (
    CATEGORY_FOR_STATUS,
    Case,
    CaseStatus,
    CaseStep,
    Decision,
    Measure,
    MeasureStatus,
    Need,
    NeedStatus,
    Partner,
    PartnerOffer,
    Phase,
    PolicyMeasure,
    ReferralStatus,
    StepKind,
)
from assistance.services import cases as case_services
from assistance.services import comments as comment_services
from assistance.services import delegations as delegation_services
from assistance.services import policy_measures as policy_measure_services
from households.models import Household
from monitoring import scans
from monitoring.models import ACTIVE_STATUSES, Alert
from monitoring.services import alerts as alert_services
from monitoring.services.visits import visit_record

COUNTY = "620423000000"
TOWNSHIP = "620423100000"

PARTNERS = [
    # name, kind, department, area, contact, phone
    ("景泰县民政局", "department", "civil_affairs", COUNTY, "王科长", "0943-5521001"),
    ("景泰县医疗保障局", "department", "medical_security", COUNTY, "李科长", "0943-5521002"),
    (
        "景泰县人力资源和社会保障局",
        "department",
        "human_resources",
        COUNTY,
        "张科长",
        "0943-5521003",
    ),
    ("景泰县恒达农业有限公司", "private_enterprise", "", COUNTY, "刘经理", "0943-5521234"),
    ("白银市国投物流有限公司", "state_enterprise", "", COUNTY, "陈经理", "0943-5521888"),
    ("景泰县慈善协会", "social_organisation", "", COUNTY, "周会长", "0943-5521555"),
    ("一条山镇志愿服务队", "volunteer_group", "", TOWNSHIP, "赵队长", "13800001111"),
]
OFFERS = [
    # partner, kind, measure kind, title, quantity, unit, amount
    ("景泰县恒达农业有限公司", "jobs", "employment", "枸杞基地季节工", 30, "人", None),
    ("白银市国投物流有限公司", "jobs", "employment", "县城物流园装卸工", 20, "人", None),
    ("景泰县人力资源和社会保障局", "training", "employment", "电工、焊工技能培训", 40, "人", None),
    ("景泰县慈善协会", "funds", "social_help", "大病救助金", None, "", Decimal("50000")),
    ("一条山镇志愿服务队", "services", "social_help", "独居老人结对帮扶", 15, "户", None),
]


def _partners() -> dict[str, Partner]:
    partners = {}
    for name, kind, department, area, contact, phone in PARTNERS:
        partners[name], _ = Partner.objects.get_or_create(
            name=name,
            area_id=area,
            defaults={
                "kind": kind,
                "department": department,
                "contact_name": contact,
                "contact_phone": phone,
            },
        )
    today = timezone.localdate()
    for partner, kind, measure_kind, title, quantity, unit, amount in OFFERS:
        PartnerOffer.objects.get_or_create(
            partner=partners[partner],
            title=title,
            defaults={
                "kind": kind,
                "measure_kind": measure_kind,
                "area_id": partners[partner].area_id,
                "quantity": quantity,
                "unit": unit,
                "amount": amount,
                "available_from": today - datetime.timedelta(days=30),
                "available_until": today + datetime.timedelta(days=180),
            },
        )
    return partners


def _confirmed(alert: Alert, users: dict[str, User], in_village: bool) -> Alert:
    """Verified by the village worker in their own village, elsewhere by the township cadre."""
    cadre = users["township"]
    verifier = users["village"] if in_village else cadre
    alert = alert_services.alert_assign(
        actor=cadre, alert=alert, version=alert.version, assignee_id=verifier.pk
    )
    alert = alert_services.alert_verify(
        actor=verifier, alert=alert, version=alert.version, result="true"
    )
    return alert_services.alert_confirm(actor=cadre, alert=alert, version=alert.version)


def _step(actor: User, case, kind, **extra) -> Case:
    case.refresh_from_db()
    return case_services.case_step_record(
        actor=actor, case=case, version=case.version, kind=kind, decision="approved", **extra
    )


def _enrolled_months_ago(household: Household, users: dict, partners: dict, months: int):
    """A case enrolled `months` ago, with every identification step on record."""
    today = timezone.localdate()
    proposed = today - datetime.timedelta(days=30 * months + 12)
    enrolled_on = proposed + datetime.timedelta(days=12)
    case = Case.objects.create(
        household=household,
        origin="cadre",
        category=CATEGORY_FOR_STATUS[household.poverty_status],
        risk_types=["illness"],
        situation="户主慢性病，医疗支出较大",
        status=CaseStatus.ENROLLED,
        proposed_by=users["village"],
        proposed_on=proposed,
        responsible=users["township"],
        enrolled_on=enrolled_on,
    )
    takers: dict[str, str] = {
        StepKind.PROPOSAL: "village",
        StepKind.CONSENT: "village",
        StepKind.INFO_CHECK: "township",
        StepKind.DELIBERATION: "village",
        StepKind.NOTICE: "village",
        StepKind.TOWNSHIP_REVIEW: "township",
        StepKind.COUNTY_APPROVAL: "county",
    }
    rows = []
    for position, rule in enumerate(steps.IDENTIFICATION):
        decided_on = proposed + datetime.timedelta(days=min(rule.day, 12))
        row = CaseStep(
            case=case,
            phase=Phase.IDENTIFICATION,
            position=position,
            kind=rule.kind,
            due_on=steps.due_on(proposed, rule),
            decision=Decision.APPROVED,
            actor=users[takers[rule.kind]],
            decided_at=datetime.datetime.combine(
                decided_on, datetime.time(10), tzinfo=timezone.get_current_timezone()
            ),
        )
        if rule.kind == StepKind.INFO_CHECK:
            row.info_check_result = "consistent"
        if rule.kind == StepKind.NOTICE:
            row.notice_starts_on = proposed + datetime.timedelta(days=7)
            row.notice_ends_on = proposed + datetime.timedelta(days=11)
            row.notice_posted_by = users["village"]
        rows.append(row)
    CaseStep.objects.bulk_create(rows)
    start = enrolled_on + datetime.timedelta(days=7)
    delivered = Measure.objects.create(
        case=case,
        kind="health",
        title="大病医疗救助",
        partner=partners["景泰县医疗保障局"],
        responsible=users["township"],
        planned_start=start,
        actual_start=start,
        actual_end=start + datetime.timedelta(days=30),
        planned_amount=Decimal("8000"),
        delivered_amount=Decimal("7600"),
        status=MeasureStatus.DELIVERED,
        result="住院费用报销后自付降至两千元以内",
        created_by=users["township"],
    )
    Measure.objects.create(
        case=case,
        kind="employment",
        title="枸杞基地季节工",
        partner=partners["景泰县恒达农业有限公司"],
        responsible=users["township"],
        planned_start=start,
        actual_start=start,
        status=MeasureStatus.IN_PROGRESS,
        created_by=users["township"],
    )
    # Written here as the case services would have: the case is enrolled, so open; and judged
    # again as they ask, which moves its next visit to the monitored cadence.
    Household.objects.filter(pk=household.pk).update(
        is_monitored=True, monitored_category=case.category, has_open_case=True
    )
    scans.evaluate_one(household.pk, as_of=today)
    return delivered


@transaction.atomic
def seed_assistance(users: dict[str, User]) -> dict[str, int]:
    """Partners, their offers, and a few cases of the village worker's village."""
    partners = _partners()
    if users["partner"].partner_id is None:
        users["partner"].partner = partners["景泰县恒达农业有限公司"]
        users["partner"].save(update_fields=["partner"])
    if Case.objects.exists():
        _referrals_and_needs(users, partners)
        return {"partners": len(partners), "cases": Case.objects.count()}
    # The township's households most at risk, the village worker's own village first, so that
    # every role's pages have something to show.
    village = users["village"].region_id
    ranked = sorted(
        Household.objects.filter(village__code__startswith=TOWNSHIP[:9]),
        key=lambda household: (
            household.village_id != village,
            -household.risk_score,
            household.id,
        ),
    )
    cadre, worker = users["township"], users["village"]
    for number, household in enumerate(ranked[:3]):
        in_village = household.village_id == village
        alert = Alert.objects.filter(household=household, status__in=ACTIVE_STATUSES).first()
        if alert is not None:
            alert = _confirmed(alert, users, in_village)
        if number == 0:
            continue  # a confirmed warning waiting for someone to open its case
        case = case_services.case_propose(
            actor=cadre,
            household_id=household.pk,
            origin="alert" if alert else "cadre",
            alert_id=alert.pk if alert else None,
            category="unstable" if household.poverty_status == "lifted_out" else "marginal",
            risk_types=["illness"] if number == 1 else ["unstable_work"],
            situation="核实确认：收入低于监测线" if alert else "干部排查：家庭收入不稳定",
            responsible_id=cadre.pk,
            # The first case also asks civil affairs for dibao: its decision is awaited.
            civil_affairs="dibao" if number == 1 else None,
        )
        if number == 2 and in_village:
            _step(worker, case, StepKind.CONSENT)
            _step(cadre, case, StepKind.INFO_CHECK, info_check_result="consistent")
    if len(ranked) > 3:
        enrolled = _enrolled_months_ago(ranked[-1], users, partners, months=7).case
        _delegated_and_discussed(enrolled, users)
    _referrals_and_needs(users, partners)
    _county_measures(users)
    return {"partners": len(partners), "cases": Case.objects.count()}


def _county_measures(users: dict[str, User]) -> None:
    """The county's own measures beside the national catalogue (demo values)."""
    for risk_type, kind, title, department, amount in (
        ("illness", "health", "景泰县大病补充医疗救助", "medical_security", "3000.00"),
        ("failed_business", "industry", "景泰县枸杞产业奖补", "rural_revitalisation", "2000.00"),
    ):
        if not PolicyMeasure.objects.filter(region_id=COUNTY, title=title).exists():
            policy_measure_services.policy_measure_save(
                actor=users["county"],
                region_code=COUNTY,
                risk_type=risk_type,
                kind=kind,
                title=title,
                department=department,
                typical_amount=Decimal(amount),
            )


def _referrals_and_needs(users: dict[str, User], partners: dict[str, Partner]) -> None:
    """On the enrolled case: a referral the charity declined (it needs another partner), one
    waiting for the demo partner's answer, a need the demo partner claimed (waiting for the
    cadre's confirmation) and an open need on the board. Written once."""
    case = Case.objects.filter(status=CaseStatus.ENROLLED).order_by("id").first()
    if case is None or Need.objects.filter(case=case).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    cadre = users["township"]
    common = {"case": case, "responsible": cadre, "created_by": cadre, "planned_start": today}
    Measure.objects.create(
        **common,
        kind="social_help",
        title="大病救助金申请",
        partner=partners["景泰县慈善协会"],
        planned_amount=Decimal("3000"),
        referral_status=ReferralStatus.DECLINED,
        referred_at=now - datetime.timedelta(days=2),
        referral_due=now + datetime.timedelta(days=1),
        responded_at=now - datetime.timedelta(days=1),
        decline_reason="本年度大病救助金已全部安排，明年一月再申请",
    )
    Measure.objects.create(
        **common,
        kind="employment",
        title="枸杞基地冬季管护岗位",
        partner=partners["景泰县恒达农业有限公司"],
        referral_status=ReferralStatus.PENDING,
        referred_at=now,
        referral_due=now + datetime.timedelta(days=3),
    )
    village = case.household.village_id
    need = {"case": case, "village_id": village, "published_by": cadre}
    Need.objects.create(
        **need,
        kind="industry",
        quantity="2吨",
        needed_by=today + datetime.timedelta(days=20),
        description="冬季牛羊饲草料",
        status=NeedStatus.CLAIMED,
        claimed_by=partners["景泰县恒达农业有限公司"],
        claimed_at=now,
    )
    Need.objects.create(
        **need,
        kind="education",
        quantity="1套",
        needed_by=today + datetime.timedelta(days=30),
        description="初中生冬季校服和学习用品",
    )


def _delegated_and_discussed(case: Case, users: dict[str, User]) -> None:
    """The enrolled household's village has no village-worker account: the county hands its
    village steps to the township cadre, so that the case can move to risk elimination; and the
    case's conversation says so, mentioning the cadre and the partner."""
    today = timezone.localdate()
    # The cadre's last two monthly visits found the household's income back above the line:
    # the case is ready for risk elimination, which only the village's steps held up.
    size = case.household.members.filter(status="active").count() or 1
    for days_ago in (45, 15):
        visit_record(
            actor=users["township"],
            household_id=case.household_id,
            client_uuid=uuid.UUID(int=case.pk * 100 + days_ago),
            events=[],
            visited_on=today - datetime.timedelta(days=days_ago),
            household_size=size,
            wage_income=Decimal("12000") * size,
            business_income=Decimal("0"),
            property_income=Decimal("0"),
            transfer_income=Decimal("0"),
            medical_spending=Decimal("0"),
            education_spending=Decimal("0"),
            disaster_loss=Decimal("0"),
            food_clothing_ok=True,
            compulsory_education_ok=True,
            basic_medical_ok=True,
            safe_housing_ok=True,
            safe_water_ok=True,
            notes="务工收入稳定，医疗自付已降",
        )
    if users["village"].region_id != case.household.village_id:
        delegation_services.delegation_create(
            actor=users["county"],
            delegate_id=users["township"].pk,
            permission="assistance.record_village_step",
            region_code=case.household.village_id,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=90),
            reason="该村暂无村级信息员账号，村级环节由镇干部代办",
        )
    comment_services.comment_post(
        actor=users["county"],
        case=case,
        text="该户已享受医疗救助，收入稳定后请@township 组织入户核验，提出风险消除。",
    )
    comment_services.comment_post(
        actor=users["township"],
        case=case,
        text="收到，本月入户核验。@partner 请更新季节工岗位的务工进展。",
    )
