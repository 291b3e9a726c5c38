"""A small world built once per module: one county's data inside every persona's reach, and the
same again in another county, so that a test can ask both "may you?" and "may you, over there?".

The world lives in a transaction that is rolled back after the module; each test runs in a
savepoint inside it, so an allowed POST leaves nothing behind for the next test.
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from households import services as household_services
from households.models import Household, Member, Region, SensitiveAccess
from tests.conftest import (
    HOME_COUNTY,
    HOME_TOWNSHIP,
    HOME_VILLAGE,
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
)
from tests.idgen import make_id_number

PASSWORD = "test-password-123"

# The personas of the matrix, in the order a failure lists them.
PERSONAS = (
    "anonymous",
    "village_worker",
    "township_cadre",
    "county_officer",
    "other_township_cadre",
    "other_county_officer",
    "partner",
    "auditor",
    "api_client",
)

# Whose eyes may fall on each scope's names and numbers (everyone else: never, on any page).
SCOPE_VIEWERS = {
    "home": {"village_worker", "township_cadre", "county_officer", "partner", "auditor"}
    | {"api_client"},
    "outside": {"other_county_officer"},
}


@dataclass
class Scope:
    """Every kind of object a URL can point at, all in one village."""

    name: str
    village: Region
    household: Household
    head: Member
    spouse: Member
    visit: object
    alert: object
    signal: object
    scan_run: object
    income_line: object
    standard: object
    policy_measure: object
    rule: object
    cadence: object
    case: object
    measure: object
    partner: object
    offer: object
    need: object
    access: SensitiveAccess
    import_job: object  # a registry import of the scope's cadre, checked, awaiting the confirm
    export_job: object  # a long list's export of the scope's cadre, ready (its file swept)
    pairing: object  # the household paired with the village worker
    contact: object  # one contact of that pairing
    pairing_policy: object  # the county's limits of paired assistance
    referral_policy: object  # the county's days to answer a referral
    staff: dict[str, User] = field(default_factory=dict)
    # The village's steps handed by the county to the scope's township cadre, from tomorrow (so
    # that the case's waiting village step stays the village worker's alone today).
    delegation: object = None
    # A receipt attached to the measure (evidence/), in the test's storage folder.
    evidence: object = None
    # Civil affairs' roster imported by the scope's cadre, naming the head; and its one line.
    roster: object = None
    roster_line: object = None
    # An active area event on the village and the household's screening task (monitoring/
    # services/area_events.py).
    area_event: object = None
    screening_task: object = None
    # A household's own report from the village's public page (self_reports/), still received.
    self_report: object = None
    # Livelihoods (livelihoods/): the head's work last month, the spouse's public-welfare post,
    # a wage link with the scope's partner (an enterprise) and an insurance claim.
    work_record: object = None
    welfare_post: object = None
    industry_support: object = None
    insurance_claim: object = None
    # A micro-credit loan of the head, disbursed four months ago and unpaid (overdue).
    loan: object = None
    # The household's development plan (development/), agreed, with a goal and a commitment.
    plan: object = None
    # The county's own self-development capacity weights (monitoring.CapacityWeights).
    capacity_weights: object = None
    # A finished backtest run over the scope's county (backtests/).
    backtest_run: object = None

    @property
    def cadre_user(self) -> User:
        return self.staff["cadre"]

    @property
    def markers(self) -> list[str]:
        """What must never reach someone outside the scope: the household's number and names."""
        return [self.household.number, self.head.name, self.spouse.name]


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    home: Scope
    outside: Scope
    extra: dict[str, object] = field(default_factory=dict)  # objects of no region, by model label
    sessions: dict[str, str] = field(default_factory=dict)  # persona → session key

    def scope(self, name: str) -> Scope:
        return self.home if name == "home" else self.outside

    def content_type_of(self, attribute: str) -> int:
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(type(getattr(self.home, attribute))).pk

    def client(self, persona: str) -> Client:
        """A client signed in as the persona (a token for the API client, nobody for anonymous)."""
        if persona == "anonymous":
            return Client()
        if persona == "api_client":
            return Client(HTTP_AUTHORIZATION=f"Token {self.tokens['api_client']}")
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client

    def sign_in_everyone(self) -> None:
        """One session per persona, committed with the world: cheaper than a login per test."""
        for persona, user in self.users.items():
            client = Client()
            client.force_login(user)
            self.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value


def body_text(response) -> str:
    """The whole body as text: an .xlsx is unzipped, since its cells are where names would be."""
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    text = raw.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON may escape non-ASCII names as \\uXXXX.
        try:
            text += json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def case_walked_to_its_notice(case, *, worker: User, cadre: User):
    """A proposed case taken through consent, the information check and the village's
    deliberation to a week's public notice: the steps a notice page needs behind it."""
    from assistance.services import cases as case_services

    for actor, kind, extra in (
        (worker, "consent", {}),
        (cadre, "info_check", {"info_check_result": "consistent"}),
        (worker, "deliberation", {"comment": "村民代表一致同意"}),
    ):
        case.refresh_from_db()
        case_services.case_step_record(
            actor=actor, case=case, version=case.version, kind=kind, decision="approved", **extra
        )
    case.refresh_from_db()
    return case_services.case_notice_post(
        actor=worker,
        case=case,
        version=case.version,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
    )


def _user(username: str, role: str, region: str | None, **extra) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, region_id=region, **extra
    )


def _build_scope(name: str, *, village: str, county: str, cadre: User, worker: User, officer):
    from assistance.models import (
        Measure,
        MeasureKind,
        Need,
        Partner,
        PartnerKind,
        PartnerOffer,
        PolicyMeasure,
        ReferralStatus,
    )
    from assistance.services import cases as case_services
    from monitoring.engine.rules import RULES
    from monitoring.models import (
        Alert,
        AlertSource,
        AreaEvent,
        AssistanceStandard,
        CapacityReading,
        CapacityWeights,
        IncomeLine,
        RuleConfig,
        ScanRun,
        ScreeningTask,
        Signal,
        VisitCadence,
    )
    from monitoring.services.visits import visit_record

    names = {"home": ("冯守田", "韩桂芝"), "outside": ("褚远山", "卫秋菊")}[name]
    household = household_services.household_create(
        actor=cadre,
        village_code=village,
        poverty_status="lifted_out",
        poverty_exit_year=2019,
        address=f"{name}村1社1号",
        phone="13893001234" if name == "home" else "13993004321",
        bank_account="6228480402564890018" if name == "home" else "6228480402564890026",
    )
    Household.objects.filter(pk=household.pk).update(
        created_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    )
    county_digits = county[:6]
    head = household_services.member_create(
        actor=cadre,
        household_id=household.pk,
        name=names[0],
        id_number=make_id_number(county_digits, "19680315", 11 if name == "home" else 21),
        relation="head",
        labour="ordinary",
        education="junior",
        health="chronic",
        health_note="高血压",
        phone="13893005678",
    )
    spouse = household_services.member_create(
        actor=cadre,
        household_id=household.pk,
        name=names[1],
        id_number=make_id_number(county_digits, "19700621", 12 if name == "home" else 22),
        relation="spouse",
        labour="ordinary",
        education="primary",
    )
    visit, _ = visit_record(
        actor=worker,
        household_id=household.pk,
        client_uuid=uuid.uuid4(),
        visited_on=timezone.localdate() - datetime.timedelta(days=1),
        household_size=2,
        events=[],
        wage_income=Decimal("4000"),
        business_income=Decimal("0"),
        property_income=Decimal("0"),
        transfer_income=Decimal("1000"),
        medical_spending=Decimal("0"),
        education_spending=Decimal("0"),
        disaster_loss=Decimal("0"),
        food_clothing_ok=True,
        compulsory_education_ok=True,
        basic_medical_ok=True,
        safe_housing_ok=True,
        safe_water_ok=True,
    )
    household.refresh_from_db()
    alert = Alert.objects.create(
        household=household,
        source=AlertSource.CADRE,
        level="high",
        score=60,
        reasons=[],
        opened_at=datetime.datetime.now(datetime.UTC),
    )
    signal = Signal.objects.create(
        source="medical_insurance",
        external_id=f"matrix-{name}",
        kind="large_medical_expense",
        id_number_hash=head.id_number_hash,
        id_number_masked=head.id_number_masked,
        member=head,
        household=household,
        region_id=village,
        occurred_on=timezone.localdate() - datetime.timedelta(days=3),
        amount=Decimal("30000"),
        detail=f"{name} 住院",
        status=Signal.Status.MATCHED,
        received_by=officer,
    )
    scan_run = ScanRun.objects.create(
        scope=county[:6], trigger=ScanRun.Trigger.MANUAL, as_of=timezone.localdate()
    )
    area_event = AreaEvent.objects.create(
        region_id=village,
        kind="disaster_area",
        occurred_on=timezone.localdate() - datetime.timedelta(days=2),
        opened_by=cadre,
    )
    screening_task = ScreeningTask.objects.create(
        event=area_event, household=household, rank=1, score=10, reasons=[{"code": "no_labour"}]
    )
    income_line = IncomeLine.objects.create(
        region_id=county, year=2031, amount=Decimal("7000"), note=f"matrix {name}"
    )
    standard = AssistanceStandard.objects.create(
        region_id=county,
        year=2031,
        dibao=Decimal("6000"),
        tekun=Decimal("7800"),
        note=f"matrix {name}",
    )
    policy_measure = PolicyMeasure.objects.create(
        region_id=county, risk_type="illness", kind="health", title=f"matrix {name}"
    )
    rule = RuleConfig.objects.create(code=RULES[0].code, region_id=county, weight=50)
    cadence = VisitCadence.objects.create(region_id=county, kind="monitored", days=30)
    case = case_services.case_propose(
        actor=cadre,
        household_id=household.pk,
        origin="cadre",
        category="unstable",
        risk_types=["illness"],
        situation="户主患慢性病，收入低于监测线",
        responsible_id=cadre.pk,
    )
    # Walked to its public notice, so that the notice page has something to print.
    case = case_walked_to_its_notice(case, worker=worker, cadre=cadre)
    partner = Partner.objects.create(
        name=f"{name} 恒达农业有限公司",
        kind=PartnerKind.PRIVATE_ENTERPRISE,
        area_id=county,
        contact_name="刘经理",
        contact_phone="0943-5521234",
    )
    offer = PartnerOffer.objects.create(
        partner=partner,
        kind="jobs",
        measure_kind=MeasureKind.values[0],
        title=f"{name} 农业岗位",
        area_id=county,
        available_from=timezone.localdate(),
    )
    measure = Measure.objects.create(
        case=case,
        kind=MeasureKind.values[0],
        title=f"{name} 产业扶持",
        partner=partner,
        responsible=cadre,
        planned_start=timezone.localdate(),
        created_by=cadre,
        # A referral waiting for the partner's answer, so that accept and decline can act.
        referral_status=ReferralStatus.PENDING,
        referred_at=timezone.now(),
        referral_due=timezone.now() + datetime.timedelta(days=3),
    )
    need = Need.objects.create(
        case=case,
        kind=MeasureKind.values[0],
        village_id=village,
        quantity="2吨",
        needed_by=timezone.localdate() + datetime.timedelta(days=20),
        description=f"{name} 饲草料",
        published_by=cadre,
    )
    access = SensitiveAccess.objects.create(
        user=cadre,
        member=head,
        household=household,
        fields="id_number",
        reason="matrix",
        channel="page",
    )
    from spreadsheets.models import ImportJob

    import_job = ImportJob.objects.create(
        owner=cadre,
        region_id=cadre.region_id,
        file_name=f"{name}.xlsx",
        status=ImportJob.Status.CHECKED,
        rows=1,
        households_new=1,
        members_new=1,
    )
    from spreadsheets.models import ExportJob

    export_job = ExportJob.objects.create(
        owner=cadre,
        kind="households",
        scope_key=ExportJob.scope_of(cadre),
        status=ExportJob.Status.READY,
        row_count=1,
    )
    from pairings import services as pairing_services
    from pairings.models import PairingPolicy

    pairing_policy = PairingPolicy.objects.create(region_id=county, max_households=12)
    from assistance.models import ReferralPolicy

    referral_policy = ReferralPolicy.objects.create(region_id=county, days=5, unit="working")
    capacity_weights = CapacityWeights.objects.create(
        region_id=county,
        labour=30,
        skills=15,
        work=25,
        participation=15,
        commitments=10,
        credit=5,
        note=f"matrix {name}",
    )
    # A reading of the household: its capacity on its page, its case and the dashboard.
    CapacityReading.objects.create(
        household=household,
        measured_on=timezone.localdate(),
        score=35,
        working_age=2,
        components=[
            {
                "code": "labour",
                "value": 0.5,
                "weight": 30,
                "share": 30.0,
                "points": 15.0,
                "reason": "some_able",
                "details": {},
            }
        ],
        weights=capacity_weights,
        weights_version=1,
    )

    pairing = pairing_services.pairing_assign(
        actor=cadre,
        household_id=household.pk,
        cadre_id=worker.pk,
        started_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    contact, _created = pairing_services.contact_record(
        actor=worker,
        household_id=household.pk,
        kind="visit",
        contacted_on=timezone.localdate(),
        summary=f"{name} 入户走访",
    )
    from assistance.services import delegations as delegation_services

    delegation = delegation_services.delegation_create(
        actor=officer,
        delegate_id=cadre.pk,
        permission="assistance.record_village_step",
        region_code=village,
        starts_on=timezone.localdate() + datetime.timedelta(days=1),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        reason=f"{name} 村级信息员空缺",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.services import evidence_attach

    evidence = evidence_attach(
        actor=cadre,
        owner_kind_key="measure",
        owner_id=measure.pk,
        upload=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        description=f"{name} 收据",
    )
    from assistance.services.civil_affairs_roster import RosterRow, roster_import

    roster = roster_import(
        actor=cadre,
        file_name=f"{name}民政名单.xlsx",
        rows=[
            RosterRow(
                row=2,
                id_number=make_id_number(county_digits, "19680315", 11 if name == "home" else 21),
                status="低保",
                since="2025-01-01",
                amount="600",
            )
        ],
    )
    from self_reports.models import SelfReport

    self_report = SelfReport.objects.create(
        village_id=village,
        name=f"{name} 申报人",
        phone="13912345678",
        id_number_hash=f"{name}-self-report-hash",
        id_number_masked="620423********1234",
        hardship="illness",
        account=f"{name} 住院自付费用高",
        consent_version="2026-1",
        consented_at=timezone.now(),
        query_code_hash=f"{name}-query-code-hash",
        received_at=timezone.now(),
        acceptance_due=timezone.localdate() + datetime.timedelta(days=3),
    )
    livelihood = _livelihood_of(household, head, spouse, partner, cadre, worker)
    from livelihoods.loan_schedule import add_months
    from livelihoods.services import credit as credit_services

    loan = credit_services.loan_create(
        actor=cadre,
        household_id=household.pk,
        borrower_id=head.pk,
        lender="农商银行",
        principal=Decimal("10000"),
        term_months=12,
        annual_rate=Decimal("4.35"),
        method="monthly",
        disbursed_on=add_months(timezone.localdate(), -4),
    )
    from development.services import plans as plan_services

    plan = plan_services.plan_create(actor=worker, household_id=household.pk)
    goal = plan_services.goal_save(
        actor=worker, plan_id=plan.pk, version=None, area="work", description=f"{name} 外出务工"
    )
    plan_services.commitment_save(
        actor=worker,
        plan_id=plan.pk,
        version=None,
        goal_id=goal.pk,
        party="household",
        description=f"{name} 参加培训",
    )
    plan = plan_services.plan_agree(
        actor=cadre, plan_id=plan.pk, version=None, member_id=head.pk, method="signature"
    )
    return Scope(
        name=name,
        village=Region.objects.get(pk=village),
        household=household,
        head=head,
        spouse=spouse,
        visit=visit,
        alert=alert,
        signal=signal,
        scan_run=scan_run,
        income_line=income_line,
        standard=standard,
        policy_measure=policy_measure,
        rule=rule,
        cadence=cadence,
        case=case,
        measure=measure,
        partner=partner,
        offer=offer,
        need=need,
        access=access,
        import_job=import_job,
        export_job=export_job,
        pairing=pairing,
        contact=contact,
        pairing_policy=pairing_policy,
        referral_policy=referral_policy,
        capacity_weights=capacity_weights,
        staff={"cadre": cadre, "worker": worker},
        delegation=delegation,
        evidence=evidence,
        roster=roster,
        roster_line=roster.entries.get(),
        area_event=area_event,
        screening_task=screening_task,
        self_report=self_report,
        **livelihood,
        loan=loan,
        plan=plan,
        backtest_run=_backtest_run(county, officer),
    )


def _backtest_run(county: str, officer: User):
    from backtests.models import BacktestRun

    return BacktestRun.objects.create(
        region_id=county,
        period_start=datetime.date(2025, 1, 31),
        period_end=datetime.date(2025, 12, 31),
        horizon_months=12,
        status=BacktestRun.Status.DONE,
        created_by=officer,
    )


def _livelihood_of(household, head, spouse, partner, cadre, worker) -> dict:
    from decimal import Decimal

    from livelihoods.services import industry, insurance, posts, work

    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    work_record, _created = work.work_record_save(
        actor=worker, member_id=head.pk, month=last_month, status="working", place="county"
    )
    welfare_post = posts.post_create(
        actor=cadre,
        household_id=household.pk,
        member_id=spouse.pk,
        title="村道保洁员",
        employer="村委会",
        monthly_pay=Decimal("500"),
        starts_on=last_month,
        ends_on=last_month + datetime.timedelta(days=300),
    )
    industry_support = industry.support_create(
        actor=cadre,
        household_id=household.pk,
        kind="wages",
        partner_id=partner.pk,
        amount=Decimal("2400"),
        starts_on=last_month,
    )
    insurance_claim, _created = insurance.claim_create(
        actor=cadre,
        household_id=household.pk,
        insurer="人保财险",
        cause="illness",
        claimed_on=today,
        amount_claimed=Decimal("3000"),
    )
    return {
        "work_record": work_record,
        "welfare_post": welfare_post,
        "industry_support": industry_support,
        "insurance_claim": insurance_claim,
    }


def build_world() -> World:
    from knox.models import AuthToken

    outside_township = (
        Region.objects.filter(code__startswith=OTHER_COUNTY[:6], level="township")
        .order_by("code")
        .first()
    )
    outside_village = (
        Region.objects.filter(code__startswith=outside_township.code[:9], level="village")
        .order_by("code")
        .first()
    )
    users = {
        "village_worker": _user("m_village_worker", Role.VILLAGE_WORKER, HOME_VILLAGE),
        "township_cadre": _user("m_township_cadre", Role.TOWNSHIP_CADRE, HOME_TOWNSHIP),
        "county_officer": _user(
            "m_county_officer", Role.COUNTY_OFFICER, HOME_COUNTY, is_staff=True
        ),
        "other_township_cadre": _user(
            "m_other_township_cadre", Role.TOWNSHIP_CADRE, OTHER_TOWNSHIP
        ),
        "other_county_officer": _user(
            "m_other_county_officer", Role.COUNTY_OFFICER, OTHER_COUNTY, is_staff=True
        ),
        "auditor": _user("m_auditor", Role.AUDITOR, HOME_COUNTY),
        "api_client": _user("m_api_client", Role.API_CLIENT, HOME_COUNTY),
        "superuser": _user("m_superuser", "", None, is_staff=True, is_superuser=True),
    }
    outside_cadre = _user("m_outside_cadre", Role.TOWNSHIP_CADRE, outside_township.code)
    outside_worker = _user("m_outside_worker", Role.VILLAGE_WORKER, outside_village.code)
    home = _build_scope(
        "home",
        village=HOME_VILLAGE,
        county=HOME_COUNTY,
        cadre=users["township_cadre"],
        worker=users["village_worker"],
        officer=users["county_officer"],
    )
    outside = _build_scope(
        "outside",
        village=outside_village.code,
        county=OTHER_COUNTY,
        cadre=outside_cadre,
        worker=outside_worker,
        officer=users["other_county_officer"],
    )
    users["partner"] = _user("m_partner", Role.PARTNER, HOME_COUNTY, partner=home.partner)
    token_row, token = AuthToken.objects.create(users["api_client"])
    world = World(
        users=users,
        tokens={"api_client": token},
        home=home,
        outside=outside,
        extra=_objects_of_no_region(users, token_row),
    )
    world.sign_in_everyone()
    return world


def _objects_of_no_region(users: dict[str, User], token_row) -> dict[str, object]:
    """One row for each admin model that belongs to no region, so its object pages can be tried."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from assistance.models import CalendarDay, DeadlineProfile

    officer = users["county_officer"]
    seen = {"username": officer.username, "ip_address": "10.0.0.1", "user_agent": "matrix"}
    return {
        "auth.group": Group.objects.create(name="matrix group"),
        "knox.authtoken": token_row,
        "axes.accessattempt": AccessAttempt.objects.create(**seen, failures_since_start=1),
        "axes.accesslog": AccessLog.objects.create(**seen),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**seen, locked_out=False),
        "otp_totp.totpdevice": TOTPDevice.objects.create(user=officer, name="matrix phone"),
        "otp_static.staticdevice": StaticDevice.objects.create(user=officer, name="matrix codes"),
        "assistance.deadlineprofile": DeadlineProfile.objects.get(region_code=""),
        "assistance.calendarday": CalendarDay.objects.create(
            day=datetime.date(2040, 1, 2), is_working=False, note="matrix"
        ),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once inside a transaction that is rolled back after the module (as TestCase's
    setUpTestData does): each test's own transaction is a savepoint within it. Nothing is
    committed, so the append-only audit tables never need cleaning."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
