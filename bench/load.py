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


def _in_parallel(sql: str, rows: int, parts: int = 2, *, start: int = 1) -> None:
    """One INSERT … SELECT cut into id ranges (`start` to `rows`), run on as many connections as
    there are cores."""
    step = max(-(-(rows - start + 1) // parts), 1)
    # Ranges are our own integers; the SQL has % operators, so no driver parameters.
    _run_on_connections(
        [
            sql.replace("%(first)s", str(first)).replace(
                "%(last)s", str(min(first + step - 1, rows))
            )
            for first in range(start, rows + 1, step)
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


# The task list's records ------------------------------------------------------------------------
#
# The build above gives households, members and visits; the scan adds warnings. The task list
# (worklist/kinds.py) reads much more: warnings at every stage, cases with running steps,
# measures and referrals, pairings and their contacts, unmatched department signals, notes that
# mention someone. `load_tasks` adds them in the proportions of a county (about 2% of households
# with an open case, 2% with an active warning, both paired with a cadre; a tenth of a percent of
# signals unmatched), dated from CURRENT_DATE so that every kind has rows due, overdue and not yet
# due whatever the day of the run, and gives the bench's township cadre and county officer the
# share of them a real one holds (their own warnings to verify, measures, pairings, mentions).
# Households are picked by id modulo 50: 3 an active warning, 7 a case (one open case, one active
# warning per household, as the unique indexes want), 11 and 13 closed warnings.

BENCH_PARTNERS = 5
TASK_TABLES = (
    "accounts_user",
    "assistance_case",
    "assistance_casecomment",
    "assistance_casemention",
    "assistance_casestep",
    "assistance_measure",
    "monitoring_alert",
    "monitoring_signal",
    "pairings_contact",
    "pairings_pairing",
)


def task_rows_loaded() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM accounts_user WHERE username LIKE 'bench-vw-%')"
        )
        return cursor.fetchone()[0]


def load_tasks(*, log=print) -> dict[str, float]:
    """Add the task list's records to a built registry; returns seconds per step."""
    from accounts.models import Role
    from bench.common import COUNTY, TOWNSHIP, TOWNSHIP_PREFIX, user

    cadre = user("bench_township_cadre", Role.TOWNSHIP_CADRE, TOWNSHIP).pk
    officer = user("bench_county_officer", Role.COUNTY_OFFICER, COUNTY).pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_user ORDER BY id LIMIT 1")
        visitor = cursor.fetchone()[0]
        # The cases already there (the dashboard step's, in a full run): the task list's cases
        # are numbered after them, and only theirs get steps, measures and notes below.
        cursor.execute("SELECT coalesce(max(id), 0) FROM assistance_case")
        case_base = cursor.fetchone()[0]
    # The case households of the bench township that belong to the bench cadre (a seventh) and
    # the cases whose notes mention the county officer (a hundredth).
    mine = f"(h.village_id LIKE '{TOWNSHIP_PREFIX}%' AND (h.id / 50) % 7 = 1)"
    steps = {
        # One village worker a village, one cadre a township, and the paired cadres: ten
        # households each, the pairing policy's default.
        "users": f"""
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
              email, is_staff, is_active, date_joined, role, region_id)
            SELECT '!', false, 'bench-vw-' || code, '', '', '', false, true, now(),
              '{Role.VILLAGE_WORKER.value}', code
            FROM households_region WHERE code LIKE '620423%' AND level = 'village'
            UNION ALL
            SELECT '!', false, 'bench-tc-' || code, '', '', '', false, true, now(),
              '{Role.TOWNSHIP_CADRE.value}', code
            FROM households_region WHERE code LIKE '620423%' AND level = 'township';
            CREATE UNLOGGED TABLE bench_paired AS
              SELECT id AS household_id, village_id,
                (row_number() OVER (ORDER BY village_id, id) - 1) / 10 AS cadre_no
              FROM households_household WHERE id % 50 IN (3, 7);
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
              email, is_staff, is_active, date_joined, role, region_id)
            SELECT '!', false, 'bench-pc-' || cadre_no, '', '', '', false, true, now(),
              '{Role.VILLAGE_WORKER.value}', min(village_id)
            FROM bench_paired GROUP BY cadre_no;
            CREATE UNLOGGED TABLE bench_worker AS
              SELECT region_id AS village_id, id AS user_id FROM accounts_user
              WHERE username LIKE 'bench-vw-%';
            INSERT INTO assistance_partner (name, kind, department, contact_name, contact_phone,
              address, description, is_active, version, created_at, area_id)
            SELECT 'bench partner ' || g, 'social_organisation', '', '', '', '', '', true, 1,
              now(), '{COUNTY}'
            FROM generate_series(1, {BENCH_PARTNERS}) g;
            ANALYZE accounts_user;
        """,
        # Next visits spread over 100 days from ten days ago: about a sixth of the households
        # due within the week's notice or overdue.
        "visits_due": """
            UPDATE households_household
            SET next_visit_due = CURRENT_DATE - 10 + (id * 7919 % 100)::int,
              is_monitored = (id % 50 IN (3, 7)),
              has_open_case = (id % 50 = 7 AND (id / 50) % 10 <> 9)
        """,
        # Active warnings: 40% open, 30% assigned (to the village's worker, or in the bench
        # township a third of them to the bench cadre), 20% verifying, 10% confirmed; opened in
        # the last 20 days. Closed ones (resolved, dismissed, became a case) twice as many.
        "alerts": f"""
            INSERT INTO monitoring_alert (status, source, level, score, reasons, reason_codes,
              self_report, opened_at, updated_at, closed_at, close_note, version, assignee_id,
              household_id, village_id)
            SELECT status, 'rules', (ARRAY['low','medium','high'])[1 + h.id % 3], 40 + h.id % 60,
              '[]', '[]', '', now() - ((h.id / 50) % 20) * interval '1 day', now(),
              CASE WHEN status IN ('resolved', 'dismissed', 'case') THEN now() END, '', 1,
              CASE WHEN status IN ('assigned', 'verifying', 'confirmed') THEN
                CASE WHEN h.village_id LIKE '{TOWNSHIP_PREFIX}%' AND (h.id / 50) % 3 = 0
                  THEN {cadre} ELSE w.user_id END END,
              h.id, h.village_id
            FROM households_household h JOIN bench_worker w USING (village_id),
            LATERAL (SELECT CASE
              WHEN h.id % 50 = 3 THEN (ARRAY['open','open','open','open','assigned','assigned',
                'assigned','verifying','verifying','confirmed'])[1 + (h.id / 50) % 10]
              WHEN h.id % 50 = 11 THEN 'resolved'
              ELSE (ARRAY['dismissed', 'case'])[1 + (h.id / 50) % 2] END AS status) s
            WHERE h.id % 50 IN (3, 11, 13) AND h.id BETWEEN %(first)s AND %(last)s
              AND NOT EXISTS (SELECT 1 FROM monitoring_alert a WHERE a.household_id = h.id
                AND a.status IN ('open', 'assigned', 'verifying', 'confirmed'))
        """,
        # Cases: 40% identifying (proposed in the last 20 days, steps decided up to a point),
        # 40% enrolled (over the last year), 10% eliminating, 10% eliminated.
        "cases": f"""
            INSERT INTO assistance_case (id, origin, category, risk_types, situation,
              social_assistance, status, proposed_on, enrolled_on, eliminated_on, closed_on,
              close_reason, elimination_round, version, created_at, updated_at, alert_id,
              household_id, proposed_by_id, responsible_id, village_id)
            SELECT {case_base} + h.id / 50 + 1, 'cadre', 'marginal', ARRAY['illness'], '', 'none', status,
              CASE WHEN status = 'identifying' THEN CURRENT_DATE - ((h.id / 50) % 20)::int
                ELSE CURRENT_DATE - 30 - ((h.id / 50) % 365)::int END,
              CASE WHEN status <> 'identifying' THEN CURRENT_DATE - 10 - ((h.id / 50) % 365)::int END,
              CASE WHEN status = 'eliminated' THEN CURRENT_DATE - 5 END,
              CASE WHEN status = 'eliminated' THEN CURRENT_DATE - 5 END, '',
              CASE WHEN status IN ('eliminating', 'eliminated') THEN 1 ELSE 0 END, 1, now(), now(),
              NULL, h.id, w.user_id, CASE WHEN {mine} THEN {cadre} ELSE w.user_id END,
              -- The household's village, which the triggers (off for the load) would copy: a
              -- region's cases are read by it (cases_visible_to).
              h.village_id
            FROM households_household h JOIN bench_worker w USING (village_id),
            LATERAL (SELECT (ARRAY['identifying','identifying','identifying','identifying',
              'enrolled','enrolled','enrolled','enrolled','eliminating','eliminated'])
              [1 + (h.id / 50) % 10] AS status) s
            WHERE h.id % 50 = 7 AND h.id BETWEEN %(first)s AND %(last)s
        """,
        # Every case its identification steps (a running one decided up to a point), and a
        # second round of elimination steps for the eliminating ones.
        "steps": """
            INSERT INTO assistance_casestep (phase, round, position, kind, due_on, decision,
              decided_at, comment, info_check_result, objections, eligibility, actor_id, case_id,
              due_days, due_profile, due_unit)
            SELECT phase, round, position, kind, start + day,
              CASE WHEN done THEN 'approved' ELSE '' END, CASE WHEN done THEN now() END,
              '', '', '', '[]', CASE WHEN done THEN c.proposed_by_id END, c.id, day, '', 'calendar'
            FROM assistance_case c,
            LATERAL (
              SELECT 'identification' AS phase, 0 AS round, p AS position, kind, day,
                c.proposed_on AS start,
                c.status <> 'identifying' OR p <= 1 + (c.id % 6) AS done
              FROM unnest(ARRAY['proposal','consent','info_check','deliberation','notice',
                'township_review','county_approval'], ARRAY[0,2,5,7,13,14,15])
                WITH ORDINALITY AS t(kind, day, p)
              UNION ALL
              SELECT 'elimination', 1, p, kind, day, CURRENT_DATE - (c.id % 16)::int,
                c.status = 'eliminated' OR p <= 1 + (c.id % 5)
              FROM unnest(ARRAY['proposal','home_verification','deliberation','notice',
                'township_review','county_approval'], ARRAY[0,4,7,13,14,15])
                WITH ORDINALITY AS t(kind, day, p)
              WHERE c.status IN ('eliminating', 'eliminated')
            ) s
            WHERE c.id BETWEEN %(first)s AND %(last)s
        """,
        # Two measures a case past identification: delivered, in progress or planned, ending
        # within the next three months or overdue; a tenth referred to a partner (pending,
        # accepted, declined or expired).
        "measures": f"""
            INSERT INTO assistance_measure (kind, title, planned_start, planned_end, actual_start,
              actual_end, planned_amount, delivered_amount, in_kind, status, result,
              continues_after_case, version, created_at, updated_at, case_id, created_by_id,
              responsible_id, partner_id, offer_id, decline_reason, referral_due,
              referral_status, referred_at, responded_at)
            SELECT 'employment', 'bench measure ' || m, c.enrolled_on, end_on,
              NULL, NULL, 2000, NULL, '', m_status, '', false, 1, now(), now(), c.id, {visitor},
              c.responsible_id, CASE WHEN referral <> '' THEN 1 + c.id % {BENCH_PARTNERS} END,
              NULL, '',
              CASE WHEN referral <> '' THEN now() + ((c.id % 7) - 2) * interval '1 day' END,
              referral, CASE WHEN referral <> '' THEN now() - interval '5 days' END,
              CASE WHEN referral IN ('accepted', 'declined') THEN now() - interval '1 day' END
            FROM assistance_case c, generate_series(1, 2) m,
            LATERAL (SELECT
              GREATEST(c.enrolled_on, CURRENT_DATE - 20 + ((c.id * 31 + m * 17) % 110)::int)
                AS end_on,
              CASE WHEN m = 1 AND c.id % 3 <> 0 THEN 'delivered'
                WHEN c.id % 2 = 0 THEN 'in_progress' ELSE 'planned' END AS m_status,
              CASE WHEN m = 2 AND c.id % 10 = 0
                THEN (ARRAY['pending','accepted','declined','expired'])[1 + (c.id / 10) % 4]
                ELSE '' END AS referral) s
            WHERE c.status <> 'identifying' AND c.id BETWEEN %(first)s AND %(last)s
        """,
        # Every monitored household paired with a cadre (ten each; ten of the bench township's
        # with the bench cadre), contacted three times, the last 1 to 45 days ago.
        "pairings": f"""
            INSERT INTO pairings_pairing (started_on, ended_on, end_reason, end_note, created_at,
              assigned_by_id, cadre_id, household_id)
            SELECT CURRENT_DATE - 200, NULL, '', '', now(), {visitor},
              CASE WHEN p.village_id LIKE '{TOWNSHIP_PREFIX}%'
                AND p.cadre_no = (SELECT min(cadre_no) FROM bench_paired
                                  WHERE village_id LIKE '{TOWNSHIP_PREFIX}%')
                THEN {cadre} ELSE u.id END,
              p.household_id
            FROM bench_paired p JOIN accounts_user u ON u.username = 'bench-pc-' || p.cadre_no
            WHERE p.household_id BETWEEN %(first)s AND %(last)s;
        """,
        "contacts": """
            INSERT INTO pairings_contact (kind, contacted_on, summary, follow_ups, created_at,
              cadre_id, household_id, pairing_id)
            SELECT 'visit', CURRENT_DATE - (1 + p.household_id % 45)::int - k * 30, '', '', now(),
              p.cadre_id, p.household_id, p.id
            FROM pairings_pairing p, generate_series(0, 2) k
            WHERE p.id BETWEEN %(first)s AND %(last)s
        """,
        # Department signals: a thousandth of the households a person signal that matched
        # (and a few unmatched ones: a tenth of them, about the areas or unknown people).
        "signals": """
            INSERT INTO monitoring_signal (source, external_id, kind, id_number_hash,
              id_number_masked, occurred_on, amount, detail, status, received_at, household_id,
              member_id, received_by_id, region_id)
            SELECT 'civil_affairs', 'bench-' || h.id, 'unemployment', lpad(to_hex(h.id), 64, '0'),
              CASE WHEN unmatched THEN '620423********0000' ELSE '' END,
              CURRENT_DATE - (h.id % 10)::int, NULL, '',
              CASE WHEN unmatched THEN 'unmatched' ELSE 'matched' END,
              now() - ((h.id / 1000) % 10) * interval '1 day',
              CASE WHEN NOT unmatched THEN h.id END, NULL, NULL,
              CASE WHEN unmatched THEN h.village_id END
            FROM households_household h,
            LATERAL (SELECT (h.id / 100) % 10 = 0 AS unmatched) s
            WHERE h.id % 100 = 19 AND h.id BETWEEN %(first)s AND %(last)s
        """,
        # A note on every open case by its proposer, mentioning the village worker; the bench
        # cadre's cases mention the cadre, a hundredth of all mention the county officer. Half
        # answered.
        "notes": f"""
            INSERT INTO assistance_casecomment (id, text, created_at, author_id, case_id)
            SELECT c.id, '', now() - (c.id % 10) * interval '1 day', c.proposed_by_id, c.id
            FROM assistance_case c
            WHERE c.status <> 'eliminated' AND c.id BETWEEN %(first)s AND %(last)s;
            INSERT INTO assistance_casemention (answered_at, comment_id, user_id)
            SELECT CASE WHEN c.id % 2 = 0 THEN now() END, c.id,
              CASE WHEN c.responsible_id = {cadre} THEN {cadre}
                WHEN c.id % 100 = 5 THEN {officer} ELSE c.proposed_by_id END
            FROM assistance_case c
            WHERE c.status <> 'eliminated' AND c.id BETWEEN %(first)s AND %(last)s
        """,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM households_household")
        households = cursor.fetchone()[0] or 0
    timings = {}
    for step, sql in steps.items():
        started = time.monotonic()
        if step in ("users", "visits_due"):
            _run_on_connections([sql], 1)
        elif step in ("alerts", "cases", "signals"):
            _in_parallel(sql, households)
        else:
            with connection.cursor() as cursor:
                table = {
                    "steps": "assistance_case",
                    "measures": "assistance_case",
                    "notes": "assistance_case",
                    "pairings": "households_household",
                    "contacts": "pairings_pairing",
                }[step]
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
                rows = cursor.fetchone()[0]
            start = case_base + 1 if table == "assistance_case" else 1
            _in_parallel(sql, rows, start=start)
        timings[step] = time.monotonic() - started
        log(f"  tasks {step}: {timings[step]:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_paired, bench_worker")
        for table in TASK_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(MAX(id), 1) FROM {table}))"
            )
    started = time.monotonic()
    _run_on_connections(
        [f"VACUUM ANALYZE {table}" for table in (*TASK_TABLES, "households_household")]
    )
    timings["analyze"] = time.monotonic() - started
    return timings
