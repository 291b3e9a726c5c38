"""Time the registry import of a 10,000-row template through the service the page uses.

    DATABASE_URL=postgres://…/dixian_bench python bench/spreadsheet_import.py [--rows 10000]

Needs a migrated database; Jingtai's regions are loaded if they are missing. The file is built in
memory (four members a household), checked (dry run), imported, and imported again (which must
change nothing); then everything is rolled back, so the database is left as it was.
"""

import argparse
import json
import os
import sys
import time
from io import BytesIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
COUNTY = "620423"


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


def build_file(rows: int) -> bytes:
    """A filled-in template: households of four in Jingtai's villages, numbers never used."""
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
    for index in range(rows):
        household = index // 4
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
            "relation": relations[index % 4],
            "labour": "普通劳动力",
            "education": "初中",
            "work": "在家务农",
            "medical_insurance": "是",
        }
        sheet.append([values.get(column.key) for column in COLUMNS])
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def measure_import(rows: int = 10_000) -> dict:
    """Seconds for the dry run, the import and the repeated import of a `rows`-row file."""
    _setup()
    from django.db import transaction

    from spreadsheets.services import registry_import

    officer = _officer()
    started = time.perf_counter()
    content = build_file(rows)
    built = time.perf_counter() - started
    figures: dict = {"rows": rows, "file_bytes": len(content), "build_seconds": round(built, 2)}
    with transaction.atomic():
        for label, dry_run in (("dry_run", True), ("import", False), ("reimport", False)):
            started = time.perf_counter()
            report = registry_import(actor=officer, content=content, dry_run=dry_run)
            figures[f"{label}_seconds"] = round(time.perf_counter() - started, 2)
            if not report.ok:
                raise SystemExit(f"{label}: {report.problems[:5]}")
            figures[f"{label}_members"] = report.members.__dict__
        transaction.set_rollback(True)  # leave the database as it was
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    print(json.dumps(measure_import(parser.parse_args().rows), ensure_ascii=False, indent=2))
