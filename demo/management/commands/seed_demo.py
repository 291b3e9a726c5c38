import datetime
import time
import zoneinfo
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from dashboards.refresh import figures_refresh
from demo import households as demo
from demo.accounts import DEMO_PASSWORD
from demo.assistance import seed_assistance
from demo.backtests import seed_backtest
from demo.capacity import seed_capacity
from demo.civil_affairs import seed_roster
from demo.livelihoods import seed_livelihoods
from demo.loans import seed_loans
from demo.outcomes import seed_outcomes
from demo.pairings import seed_pairings
from demo.plans import seed_plans
from demo.self_reports import DEMO_QUERY_CODES, seed_self_reports
from demo.signals import seed_area_event, seed_signals
from households.models import Household, Region
from households.registry_rules import household_facts_refresh
from monitoring.engine.policy import DEFAULT_CADENCE_DAYS, cadence_kind
from monitoring.models import AssistanceStandard, IncomeLine
from monitoring.scans import evaluate_pending, scan_run_inline

COUNTY = "620423000000"  # 景泰县, Baiyin, Gansu
CHUNK = 5000
HOUSEHOLD_COLUMNS = (
    "id",
    "number",
    "village_id",
    "address",
    "phone",
    "bank_account",
    "poverty_status",
    "poverty_exit_year",
    "head_name",
    "member_count",
    "risk_level",
    "risk_score",
    "risk_reasons",
    "is_monitored",
    "has_open_case",
    "per_capita_income",
    "last_visit_on",
    "next_visit_due",
    "version",
    "created_at",
    "updated_at",
)
MEMBER_COLUMNS = (
    "id",
    "household_id",
    "name",
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "sex",
    "birth_date",
    "relation",
    "phone",
    "health",
    "disability",
    "health_note",
    "labour",
    "education",
    "schooling",
    "work",
    "medical_insurance",
    "pension_insurance",
    "dibao",
    "tekun",
    "status",
    "version",
    "created_at",
    "updated_at",
)
VISIT_COLUMNS = (
    "id",
    "household_id",
    "visited_on",
    "visitor_id",
    "client_uuid",
    "household_size",
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "medical_spending",
    "education_spending",
    "disaster_loss",
    "food_clothing_ok",
    "compulsory_education_ok",
    "basic_medical_ok",
    "safe_housing_ok",
    "safe_water_ok",
    "notes",
    "total_net_income",
    "per_capita_income",
    "rigid_spending",
    "created_at",
)
EVENT_COLUMNS = ("visit_id", "kind", "member_id", "occurred_on", "note")
TABLES = {
    "households_household": HOUSEHOLD_COLUMNS,
    "households_member": MEMBER_COLUMNS,
    "monitoring_visit": VISIT_COLUMNS,
    "monitoring_visitevent": EVENT_COLUMNS,
}


class Command(BaseCommand):
    help = "Create the demo county (Jingtai, Gansu): regions, lines, accounts, households, visits."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if households already exist"
        )
        parser.add_argument("--no-scan", action="store_true", help="do not judge the households")

    def handle(self, *args, households, seed, if_empty, no_scan, **options):
        if households < 0:
            raise CommandError("--households must be 0 or more")
        if not Region.objects.filter(code=COUNTY).exists():
            call_command("load_regions", COUNTY[:6], stdout=self.stdout)
        self._income_lines()
        users = self._accounts()
        visitor = users["village"]
        if Household.objects.exists():
            if if_empty:
                self.stdout.write("Households exist already; the demo county is left as it is.")
                return
            raise CommandError("The registry is not empty; seed_demo only fills an empty one.")
        started = time.monotonic()
        villages = [
            (village.code, village.short_name)
            # Rural households live in villages, not in the towns' residents' committees.
            for village in Region.objects.filter(
                code__startswith=COUNTY[:6], level=Region.Level.VILLAGE, name__contains="村"
            ).order_by("code")
        ]
        today = timezone.localdate()
        counts = self._copy(
            demo.generate(villages=villages, households=households, seed=seed, until=today),
            visitor_id=visitor.pk,
        )
        # The facts a household caches from its members (who shares the income, the head's
        # name), as the registry keeps them: the copy wrote the members alone.
        household_facts_refresh(household_ids=Household.objects.values_list("pk", flat=True))
        self.stdout.write(
            f"{households} households, {counts['households_member']} members, "
            f"{counts['monitoring_visit']} visits in {time.monotonic() - started:.1f} s."
        )
        if not no_scan:
            run = scan_run_inline(trigger="manual", scope=COUNTY[:6], as_of=today)
            self.stdout.write(
                f"Scan: {run.households_judged} households judged, {run.alerts_opened} warnings."
            )
        seeded = seed_assistance(users)
        self.stdout.write(f"{seeded['partners']} partners, {seeded['cases']} cases.")
        paired = seed_pairings(users)
        self.stdout.write(f"{paired['pairings']} pairings of cadres and households.")
        lived = seed_livelihoods(users)
        self.stdout.write(
            f"Livelihoods: {lived['work_records']} monthly work records, "
            f"{lived.get('posts', 0)} public-welfare posts, {lived.get('links', 0)} enterprise "
            f"links, {lived.get('claims', 0)} insurance claims."
        )
        # After the livelihoods' own work records: its seeding stops where it finds any.
        self.stdout.write(f"Outcomes: {seed_outcomes(users)} cases of the last 18 months.")
        planned = seed_plans(users)
        self.stdout.write(f"{planned['plans']} development plans, {planned['reviews']} reviews.")
        self.stdout.write(f"{seed_signals(users)} department signal waiting for review.")
        self.stdout.write(f"Area event: {seed_area_event(users)} households to screen.")
        self.stdout.write(f"Civil affairs' roster: {seed_roster(users)} lines to reconcile.")
        loans = seed_loans(users)
        self.stdout.write(f"{loans['loans']} micro-credit loans, {loans['signals']} overdue.")
        self.stdout.write(
            f"{seed_self_reports(users)} households' own reports "
            f"(query codes {', '.join(DEMO_QUERY_CODES)})."
        )
        capacity = seed_capacity(users)
        self.stdout.write(
            f"Capacity: {capacity['work_records']} work records, {capacity['readings']} readings."
        )
        if not no_scan:
            # Readings below the threshold asked for their households' evaluation.
            judged = evaluate_pending().judged
            self.stdout.write(f"{judged} households judged again after the readings.")
        backtest = seed_backtest(users)
        self.stdout.write(
            f"Backtest: {backtest.figures['enrolments']} enrolments over "
            f"{backtest.months_total} month-ends in {backtest.seconds} s "
            f"(/backtests/{backtest.pk}/)."
        )
        # The dashboards show figures at once rather than after the first periodic refresh.
        counted = figures_refresh()
        self.stdout.write(f"Dashboards: {counted.rows} figures counted.")

    def _income_lines(self):
        for year, amount in demo.GANSU_DEMO_LINES.items():
            IncomeLine.objects.get_or_create(
                region_id="620000000000",
                year=year,
                defaults={"amount": Decimal(amount), "is_demo": True, "note": "demo value"},
            )
        # Written as rows, not through the service: the scan after the households judges them.
        for year, (dibao, tekun) in demo.GANSU_DEMO_STANDARDS.items():
            AssistanceStandard.objects.get_or_create(
                region_id="620000000000",
                year=year,
                defaults={
                    "dibao": Decimal(dibao),
                    "tekun": Decimal(tekun),
                    "is_demo": True,
                    "note": "demo value",
                },
            )

    def _copy(self, generated, *, visitor_id: int) -> dict[str, int]:
        now = timezone.now()
        registered = datetime.datetime.combine(
            demo.REGISTERED_ON, datetime.time(9), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
        )
        counts = dict.fromkeys(TABLES, 0)
        with transaction.atomic(), connection.cursor() as cursor:
            # Seeded rows are the starting state, not edits: skip the history triggers for them.
            cursor.execute("SET LOCAL session_replication_role = replica")
            next_ids = {}
            for table in ("households_household", "households_member", "monitoring_visit"):
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                next_ids[table] = cursor.fetchone()[0] + 1
            rows: dict[str, list] = {table: [] for table in TABLES}
            for household in generated:
                self._rows(household, rows, next_ids, visitor_id, registered, now)
                # Chunks keep memory flat however many households are asked for.
                if len(rows["households_household"]) == CHUNK:
                    self._flush(cursor.cursor, rows, counts)
            self._flush(cursor.cursor, rows, counts)
            for table in ("households_household", "households_member", "monitoring_visit"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" GREATEST((SELECT MAX(id) FROM {table}), 1))"
                )
            # Inside a caller's transaction (a test's) SET LOCAL would outlive this block: the
            # cases seeded next need their triggers (a case's village, its history).
            cursor.execute("SET LOCAL session_replication_role = origin")
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"ANALYZE {table}")
        return counts

    @staticmethod
    def _rows(household, rows, next_ids, visitor_id, registered, now):
        household_id = next_ids["households_household"]
        next_ids["households_household"] += 1
        member_ids = []
        for member in household.members:
            member_id = next_ids["households_member"]
            next_ids["households_member"] += 1
            member_ids.append(member_id)
            encrypted, hashed, masked = demo.encrypted(member)
            rows["households_member"].append(
                (
                    member_id,
                    household_id,
                    member.name,
                    encrypted,
                    hashed,
                    masked,
                    member.sex,
                    member.birth_date,
                    member.relation,
                    member.phone,
                    member.health,
                    member.disability,
                    member.health_note,
                    member.labour,
                    member.education,
                    member.schooling,
                    member.work,
                    member.medical_insurance,
                    member.pension_insurance,
                    member.dibao,
                    member.tekun,
                    "active",
                    1,
                    registered,
                    registered,
                )
            )
        for visit in household.visits:
            visit_id = next_ids["monitoring_visit"]
            next_ids["monitoring_visit"] += 1
            rows["monitoring_visit"].append(
                (
                    visit_id,
                    household_id,
                    visit.visited_on,
                    visitor_id,
                    visit.client_uuid,
                    visit.household_size,
                    visit.wage_income,
                    visit.business_income,
                    visit.property_income,
                    visit.transfer_income,
                    visit.medical_spending,
                    visit.education_spending,
                    visit.disaster_loss,
                    *visit.checks,
                    "",
                    visit.total_net_income,
                    visit.per_capita_income,
                    visit.rigid_spending,
                    now,
                )
            )
            for kind, occurred_on, member_index in visit.events:
                member_id = member_ids[member_index] if member_index is not None else None
                rows["monitoring_visitevent"].append((visit_id, kind, member_id, occurred_on, ""))
        latest = household.visits[-1] if household.visits else None
        # The engine's date (rules.visit_due_on) at the default cadences, which the demo county
        # keeps; the scan that follows writes the same (and with --no-scan it is right already).
        kind = cadence_kind(poverty_status=household.poverty_status, is_monitored=False)
        cadence = datetime.timedelta(days=DEFAULT_CADENCE_DAYS[kind])
        rows["households_household"].append(
            (
                household_id,
                household.number,
                household.village_code,
                household.address,
                household.phone,
                household.bank_account,
                household.poverty_status,
                household.poverty_exit_year,
                household.members[0].name,
                len(household.members),
                "none",
                0,
                "[]",
                False,
                False,
                latest.per_capita_income if latest else None,
                latest.visited_on if latest else None,
                latest.visited_on + cadence if latest else demo.REGISTERED_ON + cadence,
                1,
                registered,
                now,
            )
        )

    @staticmethod
    def _flush(raw_cursor, rows: dict, counts: dict) -> None:
        for table, columns in TABLES.items():
            with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)
            counts[table] += len(rows[table])
            rows[table].clear()

    def _accounts(self) -> dict[str, User]:
        first_village = (
            Region.objects.filter(
                code__startswith="620423100", level=Region.Level.VILLAGE, name__contains="村"
            )
            .order_by("code")
            .first()
        )
        accounts = [
            ("admin", "系统管理员", "", COUNTY, {"is_staff": True, "is_superuser": True}),
            ("county", "县级干部", Role.COUNTY_OFFICER, COUNTY, {"is_staff": True}),
            ("township", "一条山镇干部", Role.TOWNSHIP_CADRE, "620423100000", {}),
            ("township2", "芦阳镇干部", Role.TOWNSHIP_CADRE, "620423101000", {}),
            ("village", "村级信息员", Role.VILLAGE_WORKER, first_village.code, {}),
            ("partner", "帮扶单位", Role.PARTNER, COUNTY, {}),
            ("auditor", "审计员", Role.AUDITOR, COUNTY, {}),
            ("api", "部门系统", Role.API_CLIENT, COUNTY, {}),
        ]
        users = {}
        for username, name, role, region, flags in accounts:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": name, "role": role, "region_id": region, **flags},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            users[username] = user
        return users
