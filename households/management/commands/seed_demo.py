import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from config.embedded import DEMO_PASSWORD
from households import demo
from households.models import Household, Region

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
    "version",
    "created_at",
    "updated_at",
)
MEMBER_COLUMNS = (
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


class Command(BaseCommand):
    help = "Create the demo county (Jingtai, Gansu): regions, demo accounts and households."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if households already exist"
        )

    def handle(self, *args, households, seed, if_empty, **options):
        if households < 0:
            raise CommandError("--households must be 0 or more")
        if not Region.objects.filter(code=COUNTY).exists():
            call_command("load_regions", COUNTY[:6], stdout=self.stdout)
        self._accounts()
        if Household.objects.exists():
            if if_empty:
                self.stdout.write("Households exist already; the demo county is left as it is.")
                return
            raise CommandError("The registry is not empty; seed_demo only fills an empty one.")
        started = time.monotonic()
        villages = list(
            # Rural households live in villages, not in the towns' residents' committees.
            Region.objects.filter(
                code__startswith=COUNTY[:6], level=Region.Level.VILLAGE, name__contains="村"
            ).order_by("code")
        )
        villages = [(village.code, village.short_name) for village in villages]
        count = self._copy(demo.generate(villages=villages, households=households, seed=seed))
        self.stdout.write(
            f"{households} households, {count} members in {time.monotonic() - started:.1f} s."
        )

    def _copy(self, generated) -> int:
        now = timezone.now()
        members = 0
        with transaction.atomic(), connection.cursor() as cursor:
            # Seeded rows are the starting state, not edits: skip the history triggers for them.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM households_household")
            next_id = cursor.fetchone()[0] + 1
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            household_rows, member_rows = [], []
            for household_id, household in enumerate(generated, start=next_id):
                household_rows.append(self._household_row(household_id, household, now))
                member_rows += [
                    self._member_row(household_id, member, now) for member in household.members
                ]
                # Chunks keep memory flat however many households are asked for.
                if len(household_rows) == CHUNK:
                    members += self._flush(raw, household_rows, member_rows)
            members += self._flush(raw, household_rows, member_rows)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('households_household', 'id'),"
                " (SELECT MAX(id) FROM households_household))"
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE households_household")
            cursor.execute("ANALYZE households_member")
        return members

    @staticmethod
    def _household_row(household_id, household, now) -> tuple:
        return (
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
            1,
            now,
            now,
        )

    @staticmethod
    def _member_row(household_id, member, now) -> tuple:
        encrypted, hashed, masked = demo.encrypted(member)
        return (
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
            now,
            now,
        )

    def _flush(self, raw_cursor, household_rows: list, member_rows: list) -> int:
        count = len(member_rows)
        self._copy_rows(raw_cursor, "households_household", HOUSEHOLD_COLUMNS, household_rows)
        self._copy_rows(raw_cursor, "households_member", MEMBER_COLUMNS, member_rows)
        household_rows.clear()
        member_rows.clear()
        return count

    @staticmethod
    def _copy_rows(raw_cursor, table, columns, rows):
        with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _accounts(self):
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
        for username, name, role, region, flags in accounts:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": name, "role": role, "region_id": region, **flags},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
