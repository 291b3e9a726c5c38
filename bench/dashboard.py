"""The dashboards at scale: warnings, cases and measures over the benchmark county, the refresh
that counts them, and the county and township pages read through Django's test client.

The warnings, cases and measures are inserted in SQL (like bench/load.py): the dashboards only
count them, so how they came to be does not matter here; a household already holding an active
warning (from a scan step) keeps it.
"""

import statistics
import time

from django.db import connection, transaction

from bench.common import sized

# Shares of the county: one household in 20 has an open warning, one in 50 an enrolled case
# with two measures (one delivered by a partner), one in 400 a case in identification.
ALERT_EVERY, CASE_EVERY, IDENTIFYING_EVERY = 20, 50, 400
PAGE_SAMPLES = sized(30, 3)
COUNTY, TOWNSHIP = "620423000000", "620423100000"


def seed(*, as_of) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM assistance_case")
        if cursor.fetchone()[0]:
            return {"seeded": False}
        cursor.execute("SELECT id FROM accounts_user ORDER BY id LIMIT 1")
        cadre = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO assistance_partner (name, kind, department, area_id, contact_name,
              contact_phone, address, description, is_active, version, created_at)
            SELECT '帮扶单位' || g, 'private_enterprise', '', '620423000000', '联系人', '0943-0000000',
              '', '', true, 1, now()
            FROM generate_series(1, 12) g
            """
        )
        cursor.execute(
            f"""
            INSERT INTO monitoring_alert (household_id, status, source, level, score, reasons,
              reason_codes, self_report, close_note, opened_at, updated_at, version)
            SELECT h.id, (ARRAY['open','assigned','verifying','confirmed'])[1 + h.id %% 4], 'rules',
              CASE WHEN h.id %% 3 = 0 THEN 'high' ELSE 'medium' END, 5, '[]',
              CASE WHEN h.id %% 2 = 0 THEN '["income_below_line", "rigid_spending"]'::jsonb
                   ELSE '["shock_event"]'::jsonb END,
              '', '', %s::date - (h.id %% 700)::int, now(), 1
            FROM households_household h
            WHERE h.id %% {ALERT_EVERY} = 0
              AND NOT EXISTS (SELECT 1 FROM monitoring_alert a WHERE a.household_id = h.id
                              AND a.status IN ('open','assigned','verifying','confirmed'))
            """,
            [as_of],
        )
        cursor.execute(
            f"""
            INSERT INTO assistance_case (household_id, origin, category, risk_types, situation,
              social_assistance, status, proposed_by_id, proposed_on, responsible_id, enrolled_on,
              close_reason, elimination_round, version, created_at, updated_at)
            SELECT h.id, 'cadre',
              CASE WHEN h.id %% 3 = 2 THEN 'sudden_hardship'
                   WHEN h.poverty_status = 'lifted_out' THEN 'unstable' ELSE 'marginal' END,
              ARRAY[(ARRAY['illness','disability','schooling','disaster'])[1 + h.id %% 4]], '',
              'none', CASE WHEN h.id %% {IDENTIFYING_EVERY} = 0 THEN 'identifying' ELSE 'enrolled' END,
              %s, %s::date - (h.id %% 700)::int - 20, %s,
              CASE WHEN h.id %% {IDENTIFYING_EVERY} = 0 THEN NULL ELSE %s::date - (h.id %% 700)::int END,
              '', 0, 1, now(), now()
            FROM households_household h WHERE h.id %% {CASE_EVERY} = 0
            """,
            [cadre, as_of, cadre, as_of],
        )
        # What the case services keep on the household when they open a case.
        cursor.execute(
            f"UPDATE households_household SET has_open_case = true WHERE id % {CASE_EVERY} = 0"
        )
        cursor.execute(
            """
            INSERT INTO assistance_measure (case_id, kind, title, partner_id, responsible_id,
              planned_start, actual_start, actual_end, planned_amount, delivered_amount, in_kind,
              status, result, continues_after_case, created_by_id, version, created_at, updated_at)
            SELECT c.id, k.kind, '措施', p.id, c.responsible_id, c.proposed_on,
              CASE WHEN k.n = 1 THEN c.enrolled_on END, CASE WHEN k.n = 1 THEN c.enrolled_on + 30 END,
              2000, CASE WHEN k.n = 1 THEN 1800 END, '',
              CASE WHEN k.n = 1 THEN 'delivered' ELSE 'in_progress' END, '', false,
              c.responsible_id, 1, now(), now()
            FROM assistance_case c
            CROSS JOIN LATERAL (VALUES (1, 'employment'), (2, 'health')) k(n, kind)
            CROSS JOIN LATERAL (SELECT id FROM assistance_partner
                                ORDER BY id OFFSET c.id % 12 LIMIT 1) p
            WHERE c.status = 'enrolled'
            """
        )
        cursor.execute(
            "SELECT (SELECT count(*) FROM monitoring_alert), (SELECT count(*) FROM assistance_case),"
            " (SELECT count(*) FROM assistance_measure)"
        )
        alerts, cases, measures = cursor.fetchone()
        for table in ("monitoring_alert", "assistance_case", "assistance_measure"):
            cursor.execute(f"ANALYZE {table}")
    return {"seeded": True, "alerts": alerts, "cases": cases, "measures": measures}


def _page_timings(client, path: str) -> list[float]:
    client.get(path)  # the first read warms caches, as a cadre's first visit of the day would
    timings = []
    for _ in range(PAGE_SAMPLES):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return sorted(timings)


def measure(*, as_of) -> dict:
    from django.test import Client

    from accounts.models import Role, User
    from dashboards.refresh import figures_refresh

    seeded = seed(as_of=as_of)
    refreshes = [figures_refresh(as_of=as_of) for _ in range(2)]
    officer, _ = User.objects.get_or_create(
        username="bench_county", defaults={"role": Role.COUNTY_OFFICER, "region_id": COUNTY}
    )
    client = Client()
    client.force_login(officer)
    county = _page_timings(client, "/dashboard/")
    township = _page_timings(client, f"/dashboard/?region={TOWNSHIP}")
    return {
        **seeded,
        "refresh_seconds": [round(r.seconds, 2) for r in refreshes],
        "figure_rows": refreshes[-1].rows,
        "county_p50_ms": statistics.median(county),
        "county_p95_ms": county[int(len(county) * 0.95) - 1],
        "township_p50_ms": statistics.median(township),
        "township_p95_ms": township[int(len(township) * 0.95) - 1],
        "page_samples": PAGE_SAMPLES,
    }
