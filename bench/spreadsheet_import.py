"""Time the registry import of 10,000 households through the service the page uses, beside a
PostgreSQL COPY of the same rows.

    DATABASE_URL=postgres://…/dixian_bench python bench/spreadsheet_import.py \
        [--households 10000] [--members 2]

Needs a migrated database; Jingtai's regions are loaded if they are missing. A file is capped at
20,000 rows, so 10,000 households are households of two (head and spouse). The file is built in
memory, checked (dry run), imported, and imported again (which must change nothing). The same
file is then loaded with `COPY … FROM STDIN` into the same tables, with the values as the import
stores them (ID numbers encrypted, hashed and masked by core/id_numbers.py, head name and
member count filled in); pghistory's triggers fire on COPY too, so both write their history rows.
Each load is rolled back, and the tables it wrote are vacuumed at the end, so the database is
left as it was for the steps after this one. The import and COPY then run twice more in turn,
and each of their figures is the median of its three runs.

Two COPY figures: `copy_seconds` reads the workbook, encrypts and hashes the ID numbers and COPYs
the rows, which is what a team would otherwise run to load this file, and is what
`import_vs_copy` divides by; `copy_write_seconds` times only the COPY statements, the rows
prepared before the clock starts, the floor no loader of encrypted rows can beat.
"""

import argparse
import json
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
COUNTY = "620423"
# Runs of the import and of COPY, taken in turn (one in a smoke run).
ROUNDS = 1 if os.environ.get("BENCH_SMOKE") == "1" else 3


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DIXIAN_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _officer():
    from django.core.management import call_command

    from accounts.models import Role, User
    from households.models import Region

    if not Region.objects.filter(code=f"{COUNTY}000000").exists():
        call_command("load_regions", COUNTY, verbosity=0)
    user, _ = User.objects.get_or_create(
        username="bench_spreadsheet_officer",
        defaults={"role": Role.COUNTY_OFFICER, "region_id": f"{COUNTY}000000"},
    )
    return user


def build_file(households: int, members: int = 2) -> bytes:
    """A filled-in template: households of `members` in Jingtai's villages, numbers never used."""
    import datetime

    import openpyxl
    from stdnum.cn import ric

    from households.models import Region
    from spreadsheets.columns import COLUMNS

    villages = list(
        Region.objects.filter(code__startswith=COUNTY, level="village").values_list(
            "code", flat=True
        )
    )
    relations = ["户主", "配偶", "子女", "父母"]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([column.header for column in COLUMNS])
    born = datetime.date(1940, 1, 1)
    for index in range(households * members):
        household = index // members
        village = villages[household % len(villages)]
        birth = born + datetime.timedelta(days=index // 900)
        body = f"{COUNTY}{birth:%Y%m%d}{index % 900 + 100:03d}"
        values = {
            "number": f"{village}9{household:05d}",
            "village": village,
            "poverty_status": "脱贫户" if household % 3 else "一般农户",
            "poverty_exit_year": 2016 + household % 5 if household % 3 else None,
            "address": f"{household % 9 + 1}社{household % 97}号",
            "phone": f"138{household:08d}",
            "bank_account": f"62284804{household:011d}",
            "name": f"测试{index}",
            "id_number": body + ric.calc_check_digit(body + "0"),
            "relation": relations[index % members],
            "labour": "普通劳动力",
            "education": "初中",
            "work": "在家务农",
            "medical_insurance": "是",
        }
        sheet.append([values.get(column.key) for column in COLUMNS])
    output = BytesIO()
    book.save(output)
    return output.getvalue()


class _Copier:
    """Loads a template the way a team without the import would: read the rows, turn labels
    into codes, encrypt and hash each ID number, and COPY households then members."""

    def __init__(self):
        from django.db import connection
        from django.utils import timezone

        from households.models import Household, Member

        self.connection = connection
        self.tables = {}
        for model in (Household, Member):
            instance = model()
            columns, template = [], []
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                value = field.pre_save(instance, add=True)
                columns.append(field.column)
                template.append(field.get_db_prep_save(value, connection))
            self.tables[model] = (model._meta.db_table, columns, template)
        self.now = timezone.now()

    def read(self, content: bytes) -> tuple[list, list]:
        """The file as (households, members) rows in table column order, values as stored."""
        import openpyxl
        from django.utils import timezone

        from core import id_numbers
        from households.models import Household, Member
        from spreadsheets.columns import BY_KEY, COLUMNS
        from spreadsheets.resources import MEMBER_FIELDS
        from spreadsheets.widgets import ChoiceWidget

        choices = {key: widget.clean for key, widget in MEMBER_FIELDS.items()}
        choices["poverty_status"] = ChoiceWidget(BY_KEY["poverty_status"].choices).clean
        keys = [column.key for column in COLUMNS]
        today = timezone.localdate()
        book = openpyxl.load_workbook(BytesIO(content), read_only=True)
        households: dict[str, dict] = {}
        members = []
        for values in book.worksheets[0].iter_rows(min_row=2, values_only=True):
            row = dict(zip(keys, values, strict=False))
            number = str(row["number"])
            household = households.setdefault(
                number,
                {
                    "number": number,
                    "village_id": str(row["village"]),
                    "poverty_status": choices["poverty_status"](row["poverty_status"]),
                    "poverty_exit_year": row["poverty_exit_year"],
                    "address": row["address"] or "",
                    "phone": row["phone"] or "",
                    "bank_account": row["bank_account"] or "",
                    "head_name": "",
                    "member_count": 0,
                },
            )
            checked = id_numbers.check_id_number(row["id_number"], today=today)
            member = {key: clean(row.get(key)) for key, clean in choices.items()}
            member.update(
                number=number,
                name=row["name"],
                phone=row["member_phone"] or "",
                id_number_encrypted=id_numbers.encrypt(checked.number),
                id_number_hash=id_numbers.lookup_hash(checked.number),
                id_number_masked=checked.masked,
                sex=checked.sex,
                birth_date=checked.birth_date,
            )
            members.append(member)
            if member["status"] == Member.Status.ACTIVE:
                household["member_count"] += 1
                if member["relation"] == Member.Relation.HEAD:
                    household["head_name"] = member["name"]
        book.close()
        return (
            self._rows(Household, households.values()),
            self._rows(Member, members),
        )

    def _rows(self, model, dicts) -> list[dict]:
        _table, columns, template = self.tables[model]
        base = dict(zip(columns, template, strict=True))
        return [{**base, **values} for values in dicts]

    def write(self, households: list[dict], members: list[dict]) -> None:
        from households.models import Household, Member

        with self.connection.cursor() as cursor:
            self._copy(cursor, Household, households)
            # The members point at the new households' ids, which only the database knows.
            cursor.execute(
                "SELECT number, id FROM households_household WHERE number = ANY(%s)",
                [[household["number"] for household in households]],
            )
            ids = dict(cursor.fetchall())
            for member in members:
                member["household_id"] = ids[member.pop("number")]
            self._copy(cursor, Member, members)

    def _copy(self, cursor, model, rows: list[dict]) -> None:
        table, columns, _template = self.tables[model]
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])


def measure_copy(content: bytes) -> dict:
    """Seconds to COPY the file's rows: prepared inside the clock (the figure a loader of this
    file would see) and before it (the COPY statements alone). Both rolled back."""
    from django.db import transaction

    from households.models import Household, Member

    copier = _Copier()
    figures = {}
    with transaction.atomic():
        started = time.perf_counter()
        households, members = copier.read(content)
        copier.write(households, members)
        figures["copy_seconds"] = round(time.perf_counter() - started, 2)
        figures["copy_households"] = Household.objects.filter(
            number__in=[household["number"] for household in households]
        ).count()
        figures["copy_members"] = len(members)
        transaction.set_rollback(True)
    households, members = copier.read(content)
    with transaction.atomic():
        started = time.perf_counter()
        copier.write(households, members)
        figures["copy_write_seconds"] = round(time.perf_counter() - started, 2)
        assert Member.objects.filter(household__number=households[0]["number"]).exists()
        transaction.set_rollback(True)
    return figures


# What the county sets (DIXIAN_ID_IMPORT_ROWS_PER_DAY) for the officer who loads its registry:
# the default 1,000 ID numbers searched by imports a day would refuse the bench's file whole.
# Each check of the file still records its searches (IdNumberLookup), and that is timed.
BULK_IMPORT_ROWS_PER_DAY = 1_000_000


def _import_figures(officer, content: bytes, labels=("dry_run", "import", "reimport")) -> dict:
    from django.db import transaction
    from django.test import override_settings

    from spreadsheets.services import registry_import

    figures: dict = {}
    with override_settings(ID_IMPORT_ROWS_PER_DAY=BULK_IMPORT_ROWS_PER_DAY), transaction.atomic():
        for label in labels:
            started = time.perf_counter()
            report = registry_import(actor=officer, content=content, dry_run=label == "dry_run")
            figures[f"{label}_seconds"] = round(time.perf_counter() - started, 2)
            if not report.ok:
                raise SystemExit(f"{label}: {report.problems[:5]}")
            figures[f"{label}_members"] = report.members.__dict__
        transaction.set_rollback(True)  # leave the database as it was
    return figures


# The tables the loads above write, every one of them rolled back.
WRITTEN = ("Household", "HouseholdEvent", "Member", "MemberEvent", "LifeEvent", "IdNumberLookup")


def _vacuum_written() -> float:
    """VACUUM (ANALYZE) the tables the rolled-back loads wrote; the seconds it took. Their rows
    stay dead in the tables and their indexes (730,000 members and 400,000 households after one
    run at 1,000,000 households), too few for autovacuum to come soon, and the steps measured
    after this one read through them: at the load step, the task list took seconds."""
    from django.apps import apps
    from django.db import connection

    tables = [apps.get_model("households", name)._meta.db_table for name in WRITTEN]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    return round(time.perf_counter() - started, 1)


def measure_import(households: int = 10_000, members: int = 2, *, four: bool = True) -> dict:
    """Seconds for the dry run, the import and the repeated import of `households` households
    of `members`, for COPY of the same rows, and (with `four`) for the import of the old
    10,000-row file of households of four."""
    _setup()
    officer = _officer()
    started = time.perf_counter()
    content = build_file(households, members)
    built = time.perf_counter() - started
    rows = households * members
    figures: dict = {
        "rows": rows,
        "households": households,
        "members_per_household": members,
        "file_bytes": len(content),
        "build_seconds": round(built, 2),
    }
    figures.update(_import_figures(officer, content))
    # The import and COPY again, in turn, each figure the median of its runs: one run of each
    # on this machine varied by a tenth either way, enough to move the ratio by a fifth.
    imports = [figures["import_seconds"]]
    copies = [measure_copy(content)]
    for _ in range(ROUNDS - 1):
        imports.append(_import_figures(officer, content, labels=("import",))["import_seconds"])
        copies.append(measure_copy(content))
    figures.update(copies[0])
    figures["import_runs_seconds"] = imports
    figures["import_seconds"] = statistics.median(imports)
    for key in ("copy_seconds", "copy_write_seconds"):
        figures[key.replace("_seconds", "_runs_seconds")] = [copy[key] for copy in copies]
        figures[key] = statistics.median(copy[key] for copy in copies)
    figures["import_vs_copy"] = round(figures["import_seconds"] / figures["copy_seconds"], 2)
    figures["import_vs_copy_write"] = round(
        figures["import_seconds"] / figures["copy_write_seconds"], 1
    )
    if four:
        content = build_file(2_500, 4)
        old = _import_figures(officer, content, labels=("import",))
        figures["four_member_file"] = {"rows": 10_000, "households": 2_500, **old}
    figures["vacuum_seconds"] = _vacuum_written()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--no-four", action="store_true", help="skip the 10,000-row file of fours")
    arguments = parser.parse_args()
    figures = measure_import(arguments.households, arguments.members, four=not arguments.no_four)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
