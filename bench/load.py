"""Build a benchmark county in the database, fast: households, members, visits, events, signals.

Rows are generated inside PostgreSQL (INSERT … SELECT over generate_series), with triggers and
foreign-key checks off and the secondary indexes of the big tables built after the load: the way
a bulk import into an empty registry would be done. ID numbers are placeholders (a keyed hash of
a counter): the rules never read them, and real encryption would only time the CPU.
"""

import time

from django.conf import settings
from django.db import connection

from households.models import Region

VISITS_PER_HOUSEHOLD = 12
MEMBERS_PER_HOUSEHOLD = 4
LAST_VISIT_DAY = "2026-11-20"

# (table, index names to drop before the load and rebuild after it)
BIG_TABLES = (
    "households_household",
    "households_member",
    "monitoring_visit",
    "monitoring_visitevent",
)


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        LEFT JOIN pg_constraint c ON c.conindid = i.oid
        WHERE t.relname = %s AND NOT x.indisprimary AND c.oid IS NULL
        """,
        [table],
    )
    return cursor.fetchall()


def _dsn() -> str:
    url = settings.DATABASES["default"]
    dsn = f"host={url['HOST']} port={url['PORT']} dbname={url['NAME']} user={url['USER']}"
    return dsn + (f" password={url['PASSWORD']}" if url.get("PASSWORD") else "")


def _run_on_connections(statements: list[str], parts: int = 2) -> None:
    """Run statements on `parts` connections at once (one per core)."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    def run(statement: str) -> None:
        with psycopg.connect(_dsn(), autocommit=True) as connection:
            connection.execute("SET session_replication_role = replica")
            connection.execute("SET synchronous_commit = off")
            connection.execute(statement)

    with ThreadPoolExecutor(parts) as pool:
        list(pool.map(run, statements))


def _in_parallel(sql: str, rows: int, parts: int = 2) -> None:
    """One INSERT … SELECT cut into id ranges, run on as many connections as there are cores."""
    step = -(-rows // parts)
    # Ranges are our own integers; the SQL has % operators, so no driver parameters.
    _run_on_connections(
        [
            sql.replace("%(first)s", str(first)).replace(
                "%(last)s", str(min(first + step - 1, rows))
            )
            for first in range(1, rows + 1, step)
        ],
        parts,
    )


def load(households: int, *, log=print) -> dict[str, float]:
    """Fill an empty registry with `households` households; returns seconds per step."""
    villages = list(
        Region.objects.filter(code__startswith="620423", level="village")
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not villages:
        raise RuntimeError("load the Jingtai regions first (manage.py load_regions 620423)")
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_user ORDER BY id LIMIT 1")
        visitor = cursor.fetchone()[0]
        dropped = []
        for table in BIG_TABLES:
            for name, definition in _secondary_indexes(cursor, table):
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append(definition)
        cursor.execute("SET session_replication_role = replica")
        villages_array = "ARRAY[" + ",".join(f"'{code}'" for code in villages) + "]"
        n_villages = len(villages)
        steps = {
            "households": f"""
                INSERT INTO households_household (id, number, village_id, address, phone, bank_account,
                  poverty_status, poverty_exit_year, head_name, member_count, risk_level, risk_score,
                  risk_reasons, is_monitored, has_open_case, per_capita_income, last_visit_on, next_visit_due, version,
                  created_at, updated_at)
                SELECT g, v || lpad(g::text, 8, '0'), v, '', '', '',
                  CASE WHEN g % 4 = 0 THEN 'lifted_out' ELSE 'ordinary' END,
                  CASE WHEN g % 4 = 0 THEN 2014 + g % 7 END,
                  '户主' || g, {MEMBERS_PER_HOUSEHOLD}, 'none', 0, '[]', false, false, NULL,
                  DATE '{LAST_VISIT_DAY}' - (g % 60), DATE '{LAST_VISIT_DAY}' - (g % 60) + 90, 1,
                  TIMESTAMPTZ '2021-01-01 09:00+08', now()
                FROM generate_series(%(first)s, %(last)s) g,
                LATERAL (SELECT ({villages_array})[1 + g % {n_villages}] AS v) village
            """,
            "members": f"""
                INSERT INTO households_member (id, household_id, name, id_number_encrypted, id_number_hash,
                  id_number_masked, sex, birth_date, relation, phone, health, disability, health_note,
                  labour, education, schooling, work, medical_insurance, pension_insurance, dibao, tekun,
                  status, version, created_at, updated_at)
                SELECT g, (g - 1) / {MEMBERS_PER_HOUSEHOLD} + 1, '成员' || g, 'bench', lpad(to_hex(g), 64, '0'),
                  '620423********0000', CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END,
                  DATE '1950-01-01' + (g * 37 % 25000),
                  CASE WHEN g % {MEMBERS_PER_HOUSEHOLD} = 1 THEN 'head' ELSE 'child' END, '',
                  CASE WHEN g % 17 = 0 THEN 'chronic' ELSE 'healthy' END, 'none', '',
                  -- about 2% of households keep no one able to work
                  CASE WHEN ((g - 1) / {MEMBERS_PER_HOUSEHOLD} + 1) % 50 = 0 THEN 'none'
                       WHEN g % 3 = 0 THEN 'none' ELSE 'ordinary' END,
                  'junior', 'not_in_school', 'farming', true, true, false, false, 'active', 1, now(), now()
                FROM generate_series(%(first)s, %(last)s) g
            """,
            "visits": f"""
                INSERT INTO monitoring_visit (id, household_id, visited_on, visitor_id, client_uuid,
                  household_size, wage_income, business_income, property_income, transfer_income,
                  medical_spending, education_spending, disaster_loss, food_clothing_ok,
                  compulsory_education_ok, basic_medical_ok, safe_housing_ok, safe_water_ok, notes,
                  total_net_income, per_capita_income, rigid_spending, created_at)
                SELECT g, h, DATE '{LAST_VISIT_DAY}' - (h % 60) - k * 90, {visitor}, lpad(to_hex(g), 32, '0')::uuid, 4,
                  income * 0.6, income * 0.3, 0, income * 0.1,
                  CASE WHEN g % 97 = 0 THEN 30000 ELSE 0 END, 0, 0,
                  true, true, true, true, g % 211 <> 0, '',
                  income, round(income / 4, 2), CASE WHEN g % 97 = 0 THEN 30000 ELSE 0 END,
                  now()
                FROM generate_series(%(first)s, %(last)s) g,
                LATERAL (SELECT (g - 1) / {VISITS_PER_HOUSEHOLD} + 1 AS h, (g - 1) % {VISITS_PER_HOUSEHOLD} AS k) hk,
                LATERAL (SELECT round((20000 + (h::bigint * 7919 % 60000) + (g::bigint * 104729 % 8000))::numeric, 2) AS income) i
            """,
            "events": f"""
                INSERT INTO monitoring_visitevent (visit_id, kind, member_id, occurred_on, note)
                SELECT id, (ARRAY['illness','job_loss','disaster','accident'])[1 + id % 4],
                  (household_id - 1) * {MEMBERS_PER_HOUSEHOLD} + 1, visited_on - 10, ''
                FROM monitoring_visit WHERE id % 53 = 0 AND id BETWEEN %(first)s AND %(last)s
            """,
        }
        sizes = {
            "households": households,
            "members": households * MEMBERS_PER_HOUSEHOLD,
            "visits": households * VISITS_PER_HOUSEHOLD,
            "events": households * VISITS_PER_HOUSEHOLD,
        }
        for step, sql in steps.items():
            started = time.monotonic()
            _in_parallel(sql, sizes[step])
            timings[step] = time.monotonic() - started
            log(f"  {step}: {timings[step]:.1f} s")
        cursor.execute("SET session_replication_role = DEFAULT")
        started = time.monotonic()
        _run_on_connections(dropped)
        timings["indexes"] = time.monotonic() - started
        log(f"  indexes: {timings['indexes']:.1f} s")
        for table in ("households_household", "households_member", "monitoring_visit"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        started = time.monotonic()
        for table in BIG_TABLES:
            cursor.execute(f"ANALYZE {table}")
        timings["analyze"] = time.monotonic() - started
    return timings
