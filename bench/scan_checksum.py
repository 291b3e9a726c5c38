"""A checksum of what a scan leaves behind: the warnings, their events and every household's
cached verdict (issue 21's guard: a scan's results are identical before and after each
optimisation, on the same data).

    DATABASE_URL=postgres://…/dixian_bench_x python bench/scan_checksum.py

Ids, clocks and row order are left out: two scans of the same registry open the same warnings
in another order (chunks run on several workers) and at another time, and must still agree.
Prints one JSON object: a digest and a row count per table.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Each a statement whose rows, text-sorted, are hashed: what a scan decides, keyed by household.
PARTS = {
    "households": """
        SELECT id, risk_level, risk_score, risk_reasons::text, recheck_on, next_visit_due,
               layer, layer_reasons::text, evaluation_pending_since IS NULL
        FROM households_household
    """,
    "alerts": """
        SELECT household_id, village_id, status, source, level, score, reasons::text,
               reason_codes::text, version, closed_at IS NULL, self_report
        FROM monitoring_alert
    """,
    "events": """
        SELECT a.household_id, e.action, e.data::text, e.actor_id, e.note
        FROM monitoring_alertevent e JOIN monitoring_alert a ON a.id = e.alert_id
    """,
}


def checksum(connection) -> dict:
    """{part: {"rows": n, "md5": digest}} of the database `connection` reads."""
    result = {}
    with connection.cursor() as cursor:
        for name, sql in PARTS.items():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), ''))"
                f" FROM ({sql}) r"
            )
            rows, digest = cursor.fetchone()
            result[name] = {"rows": rows, "md5": digest}
    return result


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    print(json.dumps(checksum(connection), indent=2))


if __name__ == "__main__":
    main()
