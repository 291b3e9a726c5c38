"""The main list queries read a large registry through an index, never a whole table.

On the few rows of a test every query is fast, and PostgreSQL rightly reads small tables whole;
a missing index shows only at county size. So the registry is filled once for the module with
40,000 households (three visits each, some warnings and cases) the way bench/load.py fills it,
analysed, and the plan of each list query, taken from the real selectors, must not scan
households_household, monitoring_visit or monitoring_alert sequentially.
"""

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test import RequestFactory

from accounts.models import Role, User
from assistance import selectors as assistance_selectors
from assistance.api import CaseViewSet
from households import selectors as household_selectors
from households.api import HouseholdViewSet
from households.filters import HouseholdPageFilter
from monitoring import selectors as monitoring_selectors
from monitoring.api import AlertViewSet, VisitViewSet
from tests.conftest import HOME_TOWNSHIP, HOME_VILLAGE

# The marker also makes pytest-django create the test database the module fixture fills.
pytestmark = pytest.mark.django_db

HOUSEHOLDS = 40_000
VISITS_PER_HOUSEHOLD = 3
FIRST_ID = 1_000_000
TODAY = datetime.date(2026, 3, 2)
BIG_TABLES = {"households_household", "monitoring_visit", "monitoring_alert"}


def _persona(username: str, role: str, region: str) -> User:
    user = User(username=username, role=role, region_id=region)
    user.set_unusable_password()
    user.save()
    return user


def _fill(cursor, *, worker: User, cadre: User, other: User) -> None:
    """Households over every village of the county, three visits each (the village worker's in
    their own village), a warning for one household in 25 and a case for one in 100."""
    cursor.execute(
        "SELECT array_agg(code ORDER BY code) FROM households_region "
        "WHERE code LIKE '620423%%' AND level = 'village'"
    )
    villages = cursor.fetchone()[0]
    # Triggers (history) and foreign-key checks off for the load, as a bulk import would do.
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(
        """
        INSERT INTO households_household (id, number, village_id, address, phone, bank_account,
          poverty_status, poverty_exit_year, head_name, member_count, risk_level, risk_score,
          risk_reasons, is_monitored, has_open_case, per_capita_income, last_visit_on,
          next_visit_due, version, created_at, updated_at)
        SELECT %(first)s + g, v || lpad(g::text, 8, '0'), v, '', '', '',
          CASE WHEN g %% 4 = 0 THEN 'lifted_out' ELSE 'ordinary' END,
          CASE WHEN g %% 4 = 0 THEN 2014 + g %% 7 END,
          '户主' || g, 4,
          CASE WHEN g %% 20 = 0 THEN 'high' WHEN g %% 7 = 0 THEN 'medium' ELSE 'none' END,
          CASE WHEN g %% 20 = 0 THEN 60 + g %% 40 WHEN g %% 7 = 0 THEN 30 + g %% 30 ELSE 0 END,
          '[]', false, false, NULL,
          %(today)s::date - (g %% 90)::int, %(today)s::date - (g %% 90)::int + 90, 1,
          TIMESTAMPTZ '2021-01-01 09:00+08', now()
        FROM generate_series(1, %(households)s) g,
        LATERAL (SELECT (%(villages)s::text[])[1 + g %% %(n_villages)s] AS v) village
        """,
        {
            "first": FIRST_ID,
            "today": TODAY,
            "households": HOUSEHOLDS,
            "villages": villages,
            "n_villages": len(villages),
        },
    )
    cursor.execute(
        """
        INSERT INTO monitoring_visit (household_id, visited_on, visitor_id, client_uuid,
          household_size, wage_income, business_income, property_income, transfer_income,
          medical_spending, education_spending, disaster_loss, food_clothing_ok,
          compulsory_education_ok, basic_medical_ok, safe_housing_ok, safe_water_ok, notes,
          total_net_income, per_capita_income, rigid_spending, created_at)
        SELECT h.id, h.last_visit_on - k * 90,
          CASE WHEN h.village_id = %(village)s THEN %(worker)s ELSE %(other)s END,
          gen_random_uuid(), 4, 30000, 10000, 0, 2000, 0, 0, 0, true, true, true, true, true, '',
          42000, 10500, 0, now()
        FROM households_household h, generate_series(0, %(per_household)s - 1) k
        WHERE h.id > %(first)s
        """,
        {
            "village": HOME_VILLAGE,
            "worker": worker.pk,
            "other": other.pk,
            "per_household": VISITS_PER_HOUSEHOLD,
            "first": FIRST_ID,
        },
    )
    cursor.execute(
        """
        INSERT INTO monitoring_alert (household_id, village_id, status, source, level, score,
          reasons, reason_codes, self_report, assignee_id, opened_at, updated_at, close_note,
          version)
        SELECT id, village_id, 'open', 'rules', 'high', risk_score, '[]',
          '["income_below_line"]', '', NULL, now() - (id %% 30) * interval '1 day', now(), '', 1
        FROM households_household WHERE id > %(first)s AND id %% 25 = 0
        """,
        {"first": FIRST_ID},
    )
    cursor.execute(
        """
        INSERT INTO assistance_case (household_id, origin, category, risk_types, situation,
          social_assistance, status, proposed_by_id, proposed_on, responsible_id, close_reason,
          elimination_round, version, created_at, updated_at)
        SELECT id, 'cadre', 'unstable', ARRAY['illness'], '', 'none', 'identifying',
          %(cadre)s, %(today)s::date - (id %% 60)::int, %(cadre)s, '', 0, 1, now(), now()
        FROM households_household WHERE id > %(first)s AND id %% 100 = 0
        """,
        {"cadre": cadre.pk, "today": TODAY, "first": FIRST_ID},
    )
    cursor.execute("SET LOCAL session_replication_role = origin")
    for table in (
        "households_household",
        "monitoring_visit",
        "monitoring_alert",
        "assistance_case",
    ):
        cursor.execute(f"ANALYZE {table}")


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker) -> Iterator[dict[str, User]]:
    """The big county, built once for the module inside a transaction rolled back at the end
    (the statistics of ANALYZE roll back with it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            users = {
                "worker": _persona("plan_worker", Role.VILLAGE_WORKER, HOME_VILLAGE),
                "cadre": _persona("plan_cadre", Role.TOWNSHIP_CADRE, HOME_TOWNSHIP),
                "other": _persona("plan_other", Role.VILLAGE_WORKER, "620423101200"),
                "county": _persona("plan_county", Role.COUNTY_OFFICER, "620423000000"),
            }
            with connection.cursor() as cursor:
                _fill(cursor, worker=users["worker"], cadre=users["cadre"], other=users["other"])
            yield users
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _page_request(user: User):
    request = RequestFactory().get("/households/")
    request.user = user
    return request


def _api_list(viewset_class, user: User, url: str) -> QuerySet:
    """The page of rows a list endpoint reads: the viewset's own queryset, filter backends and
    cursor ordering, sliced to one page (what the cursor paginator runs)."""
    view = viewset_class(action="list", action_map={"get": "list"}, format_kwarg=None, kwargs={})
    view.request = view.initialize_request(RequestFactory().get(url))
    view.request.user = user
    view.headers = {}
    queryset = view.filter_queryset(view.get_queryset())
    paginator = view.paginator
    ordering = paginator.get_ordering(view.request, queryset, view)
    page_size = paginator.get_page_size(view.request)
    return queryset.order_by(*ordering)[: page_size + 1]


def _household_of(user: User):
    return household_selectors.households_visible_to(user).order_by("id").first()


# name -> the queryset a list reads, built the way its view builds it.
LISTS = {
    "the API household list of a township by risk level, by score": lambda users: _api_list(
        HouseholdViewSet,
        users["cadre"],
        f"/api/v1/households/?region={HOME_TOWNSHIP}&risk_level=high&ordering=-risk_score",
    ),
    "the API warning list of a township, active only": lambda users: _api_list(
        AlertViewSet, users["cadre"], "/api/v1/alerts/?active=1"
    ),
    "the API warning list of a township, narrowed by region": lambda users: _api_list(
        AlertViewSet, users["cadre"], f"/api/v1/alerts/?region={HOME_TOWNSHIP}&active=1"
    ),
    "the household page of a township by risk level": lambda users: HouseholdPageFilter(
        {"risk_level": ["high"]},
        queryset=household_selectors.households_visible_to(users["cadre"]).select_related(
            "village"
        ),
        request=_page_request(users["cadre"]),
    ).qs.order_by("number")[:50],
    "the warning queue of a township": lambda users: monitoring_selectors.alerts_listed(
        users["cadre"], {}
    )[:50],
    # What the page counts: the same rows without their order.
    "the count of a township's warning queue": lambda users: (
        monitoring_selectors.alerts_listed(users["cadre"], {}).order_by().values("pk")
    ),
    "the warning queue of a township, one village": lambda users: (
        monitoring_selectors.alerts_listed(users["cadre"], {"village": HOME_VILLAGE})[:50]
    ),
    "the visits of one household": lambda users: _api_list(
        VisitViewSet,
        users["cadre"],
        f"/api/v1/visits/?household={_household_of(users['worker']).pk}",
    ),
    "the visits a village worker recorded": lambda users: monitoring_selectors.visits_listed(
        users["worker"], {"mine": "1"}
    )[:50],
    "the households a village worker has overdue": lambda users: (
        monitoring_selectors.visits_overdue(users["worker"], today=TODAY)[:100]
    ),
    "the households a village worker should visit soon": lambda users: (
        monitoring_selectors.visits_due(users["worker"], today=TODAY)[:100]
    ),
    "the case list of a township": lambda users: assistance_selectors.cases_listed(
        users["cadre"], {"show": "all"}
    )[:50],
    "the API case list of a township": lambda users: _api_list(
        CaseViewSet, users["cadre"], "/api/v1/cases/"
    ),
}


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _sequential_scans(queryset: QuerySet) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return [
        node["Relation Name"]
        for node in _nodes(plan[0]["Plan"])
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
    ]


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_reads_the_big_tables_through_an_index(county, name):
    assert _sequential_scans(LISTS[name](county)) == []


def _plan_nodes(queryset: QuerySet) -> list[dict]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return list(_nodes(plan[0]["Plan"]))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/alerts/?active=1",
        f"/api/v1/alerts/?region={HOME_TOWNSHIP}&active=1",
        f"/api/v1/alerts/?village={HOME_VILLAGE}&active=1",
    ],
)
def test_a_townships_api_warning_list_gathers_its_ids_from_the_index(county, url):
    # Ordered by id, the plain query walks the primary key from the newest warning and filters
    # every row: a township whose warnings lie low read every other township's first (27,046
    # rows for 51 at 200,000 households). Its ids are gathered first, and the page is read
    # through the primary key by those ids (selectors.alerts_of_area).
    nodes = _plan_nodes(_api_list(AlertViewSet, county["cadre"], url))
    # From the index alone once the table is vacuumed (an Index Only Scan); through a village
    # index either way (the active warnings' own when only active ones are asked for), never the
    # primary key.
    gathered = [n for n in nodes if "village" in n.get("Index Name", "")]
    assert gathered, "the ids are not gathered through the village index"
    # The page read by those ids through the primary key, or (a village's few) through the
    # village index again: never a walk of the primary key that filters every row.
    walks = [n for n in nodes if n.get("Index Name") == "monitoring_alert_pkey"]
    assert all("ANY" in n.get("Index Cond", "") for n in walks)


def test_a_countys_api_warning_list_walks_the_primary_key_without_gathering(county):
    # A county's list holds most of the table: it finds its 51 rows at once on the primary key,
    # where gathering every id first would cost a sort of them all.
    nodes = _plan_nodes(_api_list(AlertViewSet, county["county"], "/api/v1/alerts/?active=1"))
    assert not [n for n in nodes if n.get("Index Name") == "alert_active_village_id"]


def test_the_check_sees_a_sequential_scan_where_no_index_serves(county):
    # Without this, an empty or unanalysed table would let every plan pass.
    from households.models import Household

    unindexed = Household.objects.filter(head_name__contains="户主1").order_by()
    assert _sequential_scans(unindexed) == ["households_household"]


def _statement_plan(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return plan[0]["Plan"]


def test_the_task_counts_read_each_kind_once_through_its_index(county):
    # The counts of a township's task list: one statement, each kind's rows planned once for
    # its overdue and its other rows (a LATERAL over the two), the visits due read from the
    # village-and-date index alone; planning two copies of every kind cost more than running
    # them (bench/worklist.py).
    from django.test.utils import CaptureQueriesContext

    from worklist import selectors as worklist_selectors

    cadre = county["cadre"]
    with CaptureQueriesContext(connection) as captured:
        counts = worklist_selectors.task_counts(cadre, today=TODAY)
    assert counts["visit_due"]["total"] > 0
    counted = [query["sql"] for query in captured.captured_queries if "count(*)" in query["sql"]]
    assert len(counted) == 1
    # Planned with the settings the task list runs its statements with.
    with worklist_selectors._short_queries():
        nodes = list(_nodes(_statement_plan(counted[0])))
    assert not [
        node
        for node in nodes
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
    ]
    # Read once: one scan of the households, besides the probes by primary key or by id and
    # village of another kind's rows (a signal's, a loan's household, its number and head).
    household_reads = [
        node
        for node in nodes
        if node.get("Relation Name") == "households_household"
        and node.get("Index Name") not in ("household_id_village", "households_household_pkey")
    ]
    assert len(household_reads) == 1, [
        (n["Node Type"], n.get("Index Name"), n.get("Index Cond")) for n in household_reads
    ]
    indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
    assert "household_village_visit_due" in indexes
    assert "household_next_visit" not in indexes


def _ordered_read_nodes(queryset: QuerySet) -> list[dict]:
    """The analysed plan PostgreSQL makes when it reads a list in its order from an index rather
    than sorting it, as it does at county size (the module's 40,000 households are few enough to
    sort, and its estimates of them are rough)."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        for method in ("sort", "incremental_sort", "bitmapscan", "seqscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return list(_nodes(plan[0]["Plan"]))


def test_the_last_townships_households_in_number_order_are_read_as_one_page(county):
    """The households of the county's last township come after every other township's in number
    order. Its first page in that order (the API's default, a department system's walk) is read
    from the index (village, number, id) within the township's codes, never from the number
    index past every other township's households (households.selectors.NUMBER_ORDER): that walk
    took 62 ms at 100,000 households."""
    from households.models import Household

    last_village = Household.objects.order_by("-village_id").values_list("village", flat=True)[0]
    township = last_village[:9] + "000"
    assert township != HOME_TOWNSHIP, "the check needs a township numbered after others"
    cadre = _persona("plan_last_cadre", Role.TOWNSHIP_CADRE, township)
    for url in ("/api/v1/households/", f"/api/v1/households/?region={township}"):
        nodes = _ordered_read_nodes(_api_list(HouseholdViewSet, cadre, url))
        households = [n for n in nodes if n.get("Relation Name") == "households_household"]
        assert [n.get("Index Name") for n in households] == ["household_village_number"], url
        assert max(n.get("Rows Removed by Filter", 0) for n in households) <= 51, url
        assert max(n["Actual Rows"] for n in households) <= 51, url


def test_the_warning_queues_first_page_is_a_walk_in_its_order(county):
    """The queue's first page (highest score first, then the oldest) is read from the index of
    the active warnings in that order (alert_active_order), not sorted out of every active
    warning of the township: at 1,000,000 households the sort of a township's 15,000 took 21 ms,
    the walk 0.7 ms. `alert_queue` leads with the status, which an IN of four cannot walk in
    score order."""
    from monitoring import selectors as monitoring_selectors

    for user in (county["cadre"], county["county"]):
        nodes = _ordered_read_nodes(monitoring_selectors.alerts_listed(user, {})[:50])
        alerts = [n for n in nodes if n.get("Relation Name") == "monitoring_alert"]
        assert [n.get("Index Name") for n in alerts] == ["alert_active_order"], user.role
        assert not [n for n in nodes if "Sort" in n["Node Type"]], user.role


def test_the_warnings_are_vacuumed_soon_after_they_change():
    """The queue's and the task list's counts read the warnings' indexes alone only while the
    table's pages are marked all-visible: autovacuum marks them again after 0.2 % of the
    warnings changed, not PostgreSQL's fifth (monitoring/migrations/0030)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'monitoring_alert'::regclass")
        options = set(cursor.fetchone()[0] or ())
    assert {
        "autovacuum_vacuum_scale_factor=0.002",
        "autovacuum_vacuum_insert_scale_factor=0.002",
    } <= options


def test_the_task_list_reads_the_warnings_nobody_took_from_their_own_index(county):
    """A township's warnings to assign (worklist's alert_assign) are counted from the index of
    the open warnings (alert_open_village) alone: it holds every column the count reads. At
    1,000,000 households a township has 15,578 open among 16,599 active, and reading their rows
    for the counts took 25 ms, the index 11 (the bench's `tasks`). Their page, in due order, is
    a walk of the open warnings by the day they opened (alert_open_by_day, kinds.WALK) until
    fifty of the township's are found: the sort of all 15,578 took 13 ms, the walk 0.8. The
    module's county is too small and too freshly written for the planner to prefer either: the
    table is marked all-visible, as the autovacuum after a scan leaves it (the bench's
    `analyze` step), no sequential or bitmap read is allowed, and for the page no sort (its
    township's hundred open warnings are rightly sorted here): the index must give the page's
    order itself. A column added to the kind that the count's index lacks, or a page order the
    walk's index does not hold (another expression of the day, another time zone), fails
    this."""
    from worklist import selectors as worklist_selectors
    from worklist.kinds import KINDS_BY_CODE, WALK

    kind = KINDS_BY_CODE["alert_assign"]
    sql, params = worklist_selectors._branch(
        kind, county["cadre"], TODAY, (), due_before=None, region=None
    )
    columns = ", ".join(f"b.{column}" for column in ("t_ref", "t_household", "t_detail"))
    statements = {
        "overdue": f"SELECT count(*) FROM ({sql}) b WHERE b.t_due < %s",
        "page": f"SELECT {columns}, b.t_since FROM ({sql}) b ORDER BY b.{WALK}, b.t_ref LIMIT 50",
    }
    expected = {
        "overdue": [("Index Only Scan", "alert_open_village")],
        "page": [("Index Scan", "alert_open_by_day")],
    }
    for name, statement in statements.items():
        with transaction.atomic(), connection.cursor() as cursor:
            for method in ("seqscan", "bitmapscan", *(("sort",) if name == "page" else ())):
                cursor.execute(f"SET LOCAL enable_{method} = off")
            cursor.execute(
                "UPDATE pg_class SET relallvisible = relpages "
                "WHERE oid = 'monitoring_alert'::regclass"
            )
            arguments = [*params, TODAY] if name == "overdue" else list(params)
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, arguments)
            plan = cursor.fetchone()[0]
            transaction.set_rollback(True)
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        nodes = list(_nodes(plan[0]["Plan"]))
        warnings = [
            (n["Node Type"], n.get("Index Name"))
            for n in nodes
            if n.get("Relation Name") == "monitoring_alert"
        ]
        assert warnings == expected[name], (name, warnings)
        assert not [n for n in nodes if "Sort" in n["Node Type"]], name


def test_a_regions_households_by_score_are_a_walk_of_a_score_index(county):
    """A cadre's household list by score (`ordering=-risk_score`, the page's and the API's) is
    read from an index in its order, never sorted out of every household of the township: at
    1,000,000 households the sort of a township's 99,531 took 90 ms and two parallel workers,
    the walk of household_score 0.7 ms. A level whose rows lie far down that index (none, low:
    below every scored household) is walked in household_risk_score from its own start."""
    cases = {
        f"/api/v1/households/?region={HOME_TOWNSHIP}&ordering=-risk_score": "household_score",
        "/api/v1/households/?risk_level=none&ordering=-risk_score": "household_risk_score",
    }
    county_officer = _persona("plan_score_county", Role.COUNTY_OFFICER, HOME_TOWNSHIP[:6] + "0" * 6)
    for url, index in cases.items():
        for user in (county["cadre"], county_officer):
            nodes = _ordered_read_nodes(_api_list(HouseholdViewSet, user, url))
            households = [n for n in nodes if n.get("Relation Name") == "households_household"]
            assert [n.get("Index Name") for n in households] == [index], (url, user.role)
            assert not [n for n in nodes if "Sort" in n["Node Type"]], (url, user.role)
            # A page and what the walk passes over: rows of other townships, never the region's
            # whole list.
            read = max(n["Actual Rows"] + n.get("Rows Removed by Filter", 0) for n in households)
            assert read <= 2_000, (url, user.role, read)


def test_a_chunks_warnings_are_read_one_household_at_a_time_through_its_index(county):
    # Given `household_id = ANY(5,000 ids)` and a registry's statistics, the planner read every
    # active warning of the county (bench: 30-47 ms a chunk at 1,000,000 households). The plan
    # of the statement the evaluation sends cannot be a scan of the table.
    from django.test.utils import CaptureQueriesContext

    from households.models import Household
    from monitoring.engine.evaluation import evaluate_households
    from monitoring.engine.facts import households_in

    ids = list(Household.objects.order_by("id").values_list("id", flat=True)[:5000])
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        evaluate_households(households_in(ids=ids), as_of=TODAY)
        transaction.set_rollback(True)
    (sql,) = [q["sql"] for q in queries.captured_queries if "FROM monitoring_alert a" in q["sql"]]
    nodes = list(_nodes(_statement_plan(sql)))
    scans = [n for n in nodes if n.get("Relation Name") == "monitoring_alert"]
    assert scans and all(n["Node Type"] == "Index Scan" for n in scans)
    assert scans[0]["Index Name"] == "monitoring_alert_household_id_936a0501"


def test_the_sweep_claims_the_oldest_waiting_households_without_sorting_the_backlog(county):
    # An area event over a township marks 100,000 households with one timestamp. The sweep and
    # a requested evaluation claim them a part at a time, oldest first, ties by id, locked and
    # skipping locked ones; with the index on the timestamp alone PostgreSQL sorted every waiting
    # household for each part (98 ms a claim with 99,344 waiting, bench county, 0.3 ms since).
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from households.models import Household
    from monitoring import scans

    with transaction.atomic():
        waiting = Household.objects.filter(id__gt=FIRST_ID, id__lte=FIRST_ID + 10_000)
        waiting.update(evaluation_pending_since=timezone.now())
        first = waiting.order_by("id").values_list("id", flat=True).first()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE households_household")
        with CaptureQueriesContext(connection) as queries:
            scans.evaluate_pending(limit=1)
            scans.evaluate_requested(first + 1, as_of=TODAY)
        claims = [
            q["sql"]
            for q in queries.captured_queries
            if "SKIP LOCKED" in q["sql"] and "evaluation_pending_since" in q["sql"]
        ]
        assert len(claims) == 2
        for sql in claims:
            nodes = list(_nodes(_statement_plan(sql)))
            assert not [n for n in nodes if n["Node Type"] == "Sort"], sql
            scans_of_households = [
                n for n in nodes if n.get("Relation Name") == "households_household"
            ]
            assert [n.get("Index Name") for n in scans_of_households] == [
                "household_pending_evaluation"
            ], sql
        transaction.set_rollback(True)


def test_a_listing_batch_looks_its_households_up_in_the_events_unique_index(county):
    # A listing's batch asks which of its 1,000 households have a task in the event already.
    # Given `household_id = ANY(ids)` while the statistics had not seen the tasks the listing
    # was writing, the planner read the event's every task for each batch, a read that grew with
    # the list (74 ms a batch on average over the bench county's). The statement probes the
    # event's unique index once an id, whatever the statistics say.
    from core.arrays import id_array
    from households.models import Region
    from monitoring.models import AreaEvent
    from monitoring.selectors import HAVE_TASK_SQL, households_with_task

    with transaction.atomic():
        event = AreaEvent.objects.create(
            region=Region.objects.get(pk=HOME_TOWNSHIP),
            kind="disaster_area",
            occurred_on=TODAY,
            opened_by=county["cadre"],
        )
        with connection.cursor() as cursor:  # 20,000 tasks, written after the last ANALYZE
            cursor.execute(
                """
                INSERT INTO monitoring_screeningtask
                  (event_id, household_id, rank, score, reasons, status, note, version)
                SELECT %s, id, id - %s, 0, '[]', 'pending', '', 1 FROM households_household
                WHERE id > %s AND id <= %s
                """,
                [event.pk, FIRST_ID, FIRST_ID, FIRST_ID + 20_000],
            )
        batch = list(range(FIRST_ID + 19_501, FIRST_ID + 20_501))
        assert households_with_task(event.pk, batch) == set(batch[:500])

        plan = _statement_plan(HAVE_TASK_SQL % (f"'{id_array(batch)}'", event.pk))
        tasks = [n for n in _nodes(plan) if n.get("Relation Name") == "monitoring_screeningtask"]
        assert tasks and all(n["Node Type"] in {"Index Scan", "Index Only Scan"} for n in tasks)
        assert {n["Index Name"] for n in tasks} == {"screening_once_per_household"}
        assert all("household_id = h.id" in n["Index Cond"] for n in tasks)
        transaction.set_rollback(True)
