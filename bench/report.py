"""docs/benchmarks.md from bench/results.json."""

from pathlib import Path

TARGETS = [
    (
        "scan_vs_naive",
        "full scan vs the naive per-household ORM loop",
        "≥ 100×",
        lambda v: v >= 100,
        "×",
    ),
    (
        "scan_vs_sql_bound",
        "full scan vs one hand-written SQL statement",
        "≤ 2×",
        lambda v: v <= 2,
        "×",
    ),
    (
        "rescan_unchanged_seconds",
        "re-scan, nothing changed",
        "< 10 s at 1,000,000",
        lambda v: v < 10,
        " s",
    ),
    ("evaluate_one_p95_ms", "evaluation after one visit, p95", "< 20 ms", lambda v: v < 20, " ms"),
    ("scan_peak_rss_mb", "scan process peak memory", "< 512 MB", lambda v: v < 512, " MB"),
]


def _early_warning(results: dict) -> list[str]:
    machine = results["machine"]
    lines = [
        "## Early warning",
        "",
        f"Measured {results['measured_at']} with `{results['command']}` on "
        f"{machine['cpus']} cores, {machine['memory_gb']} GB, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql'].get('server_version', '?')} "
        f"(shared_buffers {machine['postgresql'].get('shared_buffers')}, "
        f"work_mem {machine['postgresql'].get('work_mem')}).",
        "",
        f"Data: {results['households']:,} households, {results['members']:,} members, "
        f"{results['visits']:,} visits over three years, built in {results['build_seconds']} s "
        f"({', '.join(f'{k} {v} s' for k, v in results['build_steps_seconds'].items())}).",
        "",
        "| path | figure | target | met |",
        "|---|---|---|---|",
    ]
    for key, label, target, ok, unit in TARGETS:
        value = results[key]
        lines.append(f"| {label} | {value}{unit} | {target} | {'yes' if ok(value) else '**no**'} |")
    lines += [
        "",
        "| measured | value |",
        "|---|---|",
        f"| full scan | {results['scan_seconds']} s with {results['scan_workers']} Celery worker "
        f"processes, {results['scan_chunks']} chunks, {results['scan_queries_per_chunk']} queries "
        f"per chunk, {results['scan_alerts_opened']:,} warnings opened |",
        f"| re-scan with one worker process | {results['rescan_one_worker_seconds']} s "
        f"(two are {results['scan_speedup_two_workers']}× faster) |",
        f"| re-scan on two Celery workers of one process each, each its own broker connection | "
        f"{results.get('rescan_two_celery_workers_seconds', '—')} s "
        f"({results.get('scan_speedup_two_celery_workers', '—')}× one process) |",
        f"| naive loop | {results['naive_sample_seconds']} s for {results['naive_sample']:,} households, "
        f"{results['naive_extrapolated_seconds']} s extrapolated |",
        f"| SQL bound | {results['sql_bound_seconds']} s ({_bound_runs(results)}) |",
        f"| nightly re-scan, nothing changed | {results['rescan_unchanged_seconds']} s (median of 3), "
        f"households judged {results['rescan_unchanged_judged']} |",
        f"| full re-scan, nothing changed | {results['full_rescan_unchanged_seconds']} s ; "
        f"alerts changed by the re-scans: {results['rescan_changes']} |",
        f"| evaluation after one visit | p50 {results['evaluate_one_p50_ms']} ms, "
        f"p95 {results['evaluate_one_p95_ms']} ms |",
        "",
        "The scan runs as in production: `scan_start` queues one task per chunk on the `scans` queue",
        "and Celery worker processes take them; the peak memory is that of the worker processes.",
        "",
    ]
    if results.get("warnings_opened_explained"):
        lines += [f"Warnings opened: {results['warnings_opened_explained']}", ""]
    return lines + WHY_53433


# Kept in the report: the question of issue 21, answered with its figures (docs/benchmarks.md).
WHY_53433 = [
    "### Why the run of 26e28d8 said 53,433 warnings and later runs 150,114",
    "",
    "The 1,000,000-household figures of 26e28d8 (2026-11-23 07:19) say 53,433 warnings opened "
    "(5.3%); those of 43395ee (17:34) say 150,114 (15.0%), and every 100,000-household run "
    "15,013 (15.0%). The data, the as-of date and the rules did not change between them: "
    "`bench/load.py` is the same from 1817588 to 43395ee, the as-of date is 2026-11-23 in both, "
    "the line is the province's 2026 row of ¥7,600 a person, and the commits of "
    "26e28d8..43395ee under monitoring/ change how facts are read and written (b59c4be, "
    "d44ee43, a4306dd) or hold a warning beside an open case (0ad055d; the bench has no "
    "cases), not a verdict on this data. 150,114 is what the rules find: of the latest visits, "
    "income_below_line 106,688 (the generator's income is 20,000 + h·7,919 mod 60,000 + a "
    "share under 8,000, below 4 × 7,600 for (10,400 − 4,000) / 60,000 = 10.7%), labour_loss "
    "20,000 (every 50th household keeps no one able to work), shock_event 18,868 (an event "
    "10 days before every 53rd visit), rigid_spending 6,256 (¥30,000 of medical spending on "
    "every 97th visit), guarantee_gap 4,739 (unsafe water on every 211th); 150,114 households "
    "have at least one (income_near_line, 101,330, is low and opens none). The code of 26e28d8 "
    "rebuilt here at 1,000,000 households opens 150,114 too, and its hand-written SQL bound "
    "counts the same on that data. 53,433 is the count of that one run: it is exactly the warnings "
    "of the first 73 of the 204 chunks in the order `scan_start` queues them (by township, "
    "then id), and the other 131 hold exactly 96,681 (no other run of consecutive chunks adds "
    "up to either). The run judged all 1,000,000 households, but chunks 74-204 had been judged "
    "first by tasks of another scan run: bench runs then all shared Redis database 14 and "
    "nothing emptied the `scans` queue, so the chunks an interrupted 1,000,000-household run "
    "left queued (most likely the attempt with two re-scans, given up before 5ab09f8 kept one, "
    "25 minutes before these figures) were taken first by the next run's workers. They opened "
    "those 96,681 warnings under a scan run the fresh database did not have (the count's "
    "UPDATE matched no row); the measured run's own tasks then found them open and opened none, "
    "and its re-scans changed nothing. The same run's first scan took 395.4 s against 202.3 s "
    "for its full re-scan (1.95×; 1.51× at 43395ee): it also did those 131 chunks, so its "
    "scan_vs_sql_bound of 10.86× and scan_vs_naive of 48.4× were worse than the code was. "
    "Reproduced at 100,000 households on 26e28d8: with 16 of the 25 chunks left in the broker "
    "under scan run 2, the scan step reported 100,000 judged and 5,571 opened (the first 9 "
    "chunks' warnings exactly) while 15,013 warnings were in the database. Since then the "
    "first scan also writes `scan_alerts_opened_by_rule` and `warnings_opened_explained`, which "
    "counts the active warnings in the database and says so when they are more than the run "
    "opened (the `scans` queue is still not emptied before a scan: this is the guard).",
    "",
]


def _dashboard(result: dict) -> list[str]:
    met = "yes" if result["county_p95_ms"] < 300 else "**no**"
    return [
        "## Dashboards",
        "",
        f"Measured {result['measured_at']} on {result['households_in_database']:,} households "
        f"with {result.get('alerts', '?'):,} warnings, {result.get('cases', '?'):,} cases and "
        f"{result.get('measures', '?'):,} measures (bench/dashboard.py; the page read through "
        f"Django's test client, {result['page_samples']} reads after a first one).",
        "",
        "| path | figure | target | met |",
        "|---|---|---|---|",
        f"| county dashboard, p95 | {result['county_p95_ms']:.1f} ms | < 300 ms | {met} |",
        "",
        "| measured | value |",
        "|---|---|",
        f"| county dashboard | p50 {result['county_p50_ms']:.1f} ms, "
        f"p95 {result['county_p95_ms']:.1f} ms |",
        f"| township dashboard (drill-down) | p50 {result['township_p50_ms']:.1f} ms, "
        f"p95 {result['township_p95_ms']:.1f} ms |",
        f"| refresh of every figure (twice) | {result['refresh_seconds']} s, "
        f"{result['figure_rows']:,} figure rows |",
        "",
    ]


def _runs(result: dict, key: str) -> str:
    """The runs a figure is the median of, written after it; nothing for a single run."""
    runs = result.get(key) or []
    if len(runs) < 2:
        return ""
    return f" (median of {', '.join(str(run) for run in runs)} s)"


def _import(result: dict) -> list[str]:
    def members(key: str) -> str:
        counts = result[key]
        return f"{counts['new']:,} new, {counts['changed']:,} changed, {counts['unchanged']:,} unchanged"

    households = result.get("households", result["rows"])
    lines = [
        "## Excel import",
        "",
        f"Measured {result['measured_at']} on a registry of "
        f"{result['households_in_database']:,} households: {households:,} households in a "
        f"{result['rows']:,}-row template ({result['file_bytes'] / 1024:.0f} KB, built in "
        f"{result['build_seconds']} s) through the same service as the page "
        "(bench/spreadsheet_import.py; rolled back at the end), beside COPY of the same rows.",
        "",
        "| path | figure | target | met |",
        "|---|---|---|---|",
    ]
    if "import_vs_copy" in result:
        lines.append(
            f"| import vs COPY of the same rows | {result['import_vs_copy']}× | ≤ 2× | "
            f"{_met(result['import_vs_copy'] <= 2)} |"
        )
    four = result.get("four_member_file")
    if four:
        lines.append(
            f"| import of a {four['rows']:,}-row file ({four['households']:,} households of "
            f"four) | {four['import_seconds']} s | < 30 s | {_met(four['import_seconds'] < 30)} |"
        )
    lines += [
        "",
        "| measured | value |",
        "|---|---|",
        f"| dry run (check, nothing written) | {result['dry_run_seconds']} s; members "
        f"{members('dry_run_members')} |",
        f"| import | {result['import_seconds']} s{_runs(result, 'import_runs_seconds')}; "
        f"members {members('import_members')} |",
        f"| the same file again | {result['reimport_seconds']} s; members "
        f"{members('reimport_members')} |",
    ]
    if "copy_seconds" in result:
        lines += [
            f"| COPY: read the workbook, check, encrypt and hash the ID numbers, COPY "
            f"{result['copy_households']:,} households and {result['copy_members']:,} members | "
            f"{result['copy_seconds']} s{_runs(result, 'copy_runs_seconds')} |",
            f"| COPY statements alone (rows prepared beforehand) | "
            f"{result['copy_write_seconds']} s{_runs(result, 'copy_write_runs_seconds')} "
            f"(import {result['import_vs_copy_write']}× it) |",
        ]
    return lines + [f"| peak memory of the process | {result['peak_rss_mb']:.0f} MB |", ""]


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _server_load(r: dict) -> str:
    """The server's 1-minute load average around a measurement, when it was recorded."""
    if "load_before" not in r:
        return ""
    return f" (load {r['load_before']:.1f} → {r['load_after']:.1f})"


def _paths(results: dict) -> list[str]:
    """The everyday paths (bench/household_list.py and its neighbours), those measured."""
    lines = [
        "## Everyday paths",
        "",
        "Read through Django's test client as their users read them (bench/household_list.py, alert_queue.py, signal_batch.py, export.py): a township "
        "cadre of 一条山镇 (620423100), an API client of the county, a county officer. Times are "
        "medians unless marked p95; database time is the sum of the statements' times "
        "(`connection.execute_wrapper`).",
        "",
        "| path | figure | target | met |",
        "|---|---|---|---|",
    ]
    rows = []
    if "list" in results:
        r = results["list"]
        rows.append(
            f"| household list, API vs a bare `values()` view | {r['list_vs_values']:.1f}× | "
            f"≤ 1.5× | {_met(r['list_vs_values'] <= 1.5)} |"
        )
        rows.append(
            f"| household list, API database time | {r['list_db_ms']:.1f} ms | < 5 ms | "
            f"{_met(r['list_db_ms'] < 5)} |"
        )
        if "page_vs_values" in r:
            rows.append(
                f"| household list, page vs a bare `values()` view | {r['page_vs_values']:.1f}× | "
                f"≤ 1.5× | {_met(r['page_vs_values'] <= 1.5)} |"
            )
        rows.append(
            f"| household list, page database time | {r['page_db_ms']:.1f} ms | < 5 ms | "
            f"{_met(r['page_db_ms'] < 5)} |"
        )
    if "deep" in results:
        r = results["deep"]
        # Pages that repeat rows never reach row 2,000: the ratio is then not the deep page's.
        reached = r["distinct_rows_read"] == r["rows_read"]
        met = _met(r["deep_vs_first"] <= 2) if reached else "**no** (rows repeat)"
        rows.append(
            f"| household list 2,000 rows deep vs first page (API) | {r['deep_vs_first']:.2f}× | "
            f"≤ 2× | {met} |"
        )
    if "queue" in results:
        r = results["queue"]
        rows.append(
            f"| warning queue, p95 (worse of API and page) | {r['queue_p95_ms']:.1f} ms | "
            f"< 50 ms | {_met(r['queue_p95_ms'] < 50)} |"
        )
    if "tasks" in results:
        r = results["tasks"]
        rows.append(
            f"| task list of a township cadre and a county officer, p95 (worst of API and page) | "
            f"{r['tasks_p95_ms']:.1f} ms | < 100 ms | {_met(r['tasks_p95_ms'] < 100)} |"
        )
    if "signals" in results:
        r = results["signals"]
        rows.append(
            f"| signal batch of {r['items']:,} items | {r['signal_batch_seconds']:.2f} s | < 2 s | "
            f"{_met(r['signal_batch_seconds'] < 2)} |"
        )
    if "export" in results:
        r = results["export"]
        rows.append(
            f"| Excel export of {r['rows']:,} households | {r['export_seconds']:.1f} s | < 10 s | "
            f"{_met(r['export_seconds'] < 10)} |"
        )
        rows.append(
            f"| Excel export, process peak memory | {r['export_peak_rss_mb']:.0f} MB | < 300 MB | "
            f"{_met(r['export_peak_rss_mb'] < 300)} |"
        )
    lines += rows + ["", "| measured | value |", "|---|---|"]
    if "list" in results:
        r = results["list"]
        lines.append(
            f"| household list `?{r['query']}` ({r['rows_matching']:,} households match), "
            f"{r['repeats']} reads | API {r['api_ms']:.1f} ms ({r['api_db_ms']:.1f} ms in "
            f"{r['api_queries']} statements); page `/households/` {r['page_ms']:.1f} ms "
            f"({r['page_db_ms']:.1f} ms in {r['page_queries']} statements); the comparison, a "
            f"bare view returning `values()` of the same households and members as JSON through "
            f"the same middleware and login (bench/urls.py), {r['values_ms']:.1f} ms; "
            f"`values()` + json.dumps alone {r.get('raw_values_ms', 0):.1f} ms (API "
            f"{r.get('list_vs_raw_values', 0):.1f}× it); measured {r['measured_at']}{_server_load(r)} |"
        )
    if "deep" in results:
        r = results["deep"]
        lines.append(
            f"| 2,000 rows deep ({r['pages_followed']} `next` links, {r['walk_seconds']:.1f} s) | "
            f"API {r['api_first_ms']:.1f} → {r['api_deep_ms']:.1f} ms (database "
            f"{r['api_first_db_ms']:.1f} → {r['api_deep_db_ms']:.1f} ms); the walk read "
            f"{r['rows_read']:,} rows of which {r['distinct_rows_read']:,} distinct; ordered by "
            f"number {r['by_number_first_ms']:.1f} → {r['by_number_deep_ms']:.1f} ms "
            f"({r['by_number_deep_vs_first']:.2f}×); page (keyset links) "
            f"{r['page_first_ms']:.1f} → {r['page_deep_ms']:.1f} ms "
            f"({r['page_deep_vs_first']:.2f}×, {r.get('page_distinct_rows_read', 0):,} distinct "
            f"rows); risk level {r.get('risk_level', '?')}; measured {r['measured_at']}{_server_load(r)} |"
        )
    if "queue" in results:
        r = results["queue"]
        lines.append(
            f"| warning queue, {r['active_alerts']:,} active warnings, {r['reads']} reads each | "
            f"API p50 {r['api_p50_ms']:.1f} ms, p95 {r['api_p95_ms']:.1f} ms "
            f"({r['api_db_ms']:.1f} ms in {r['api_queries']} statements); page `/alerts/` "
            f"p50 {r['page_p50_ms']:.1f} ms, p95 {r['page_p95_ms']:.1f} ms "
            f"({r['page_db_ms']:.1f} ms in {r['page_queries']} statements); "
            f"measured {r['measured_at']}{_server_load(r)} |"
        )
    if "tasks" in results:
        r = results["tasks"]
        for name in ("township", "county"):
            t = r[name]
            kinds = t.get("kinds")
            # A kind's overdue and not yet overdue are each counted up to
            # worklist.selectors.COUNT_CAP (1,000): its total is a floor ("+") when either is.
            shown = (
                ", ".join(
                    f"{code} {c['total']:,}"
                    f"{'+' if max(c['overdue'], c['total'] - c['overdue']) >= 1000 else ''}"
                    for code, c in kinds.items()
                )
                if kinds
                else ""
            )
            lines.append(
                f"| task list of the {name}, {t['tasks']:,} tasks ({t['overdue']:,} overdue)"
                f"{f' [{shown}]' if shown else ''}, "
                f"{r['reads']} reads each | API p50 {t['api_p50_ms']:.1f} ms, p95 "
                f"{t['api_p95_ms']:.1f} ms ({t['api_db_ms']:.1f} ms in {t['api_queries']} "
                f"statements); page `/tasks/` p50 {t['page_p50_ms']:.1f} ms, p95 "
                f"{t['page_p95_ms']:.1f} ms ({t['page_db_ms']:.1f} ms in {t['page_queries']} "
                f"statements); measured {r['measured_at']}{_server_load(r)} |"
            )
    if "signals" in results:
        r = results["signals"]
        outcome = ", ".join(f"{count:,} {key}" for key, count in sorted(r["results"].items()))
        lines.append(
            f"| signal batches ({r['area_items']} area signals, the rest about people; rolled "
            f"back) | {r['batch_seconds']} s; per batch {outcome}; {r['queries']:,} statements; "
            f"measured {r['measured_at']}{_server_load(r)} |"
        )
        if "area_list_seconds" in r:
            lines.append(
                f"| an area signal's screening list, made by the worker after the batch commits "
                f"(one village of {r['area_list_households']:,} households; rolled back) | "
                f"{r['area_list_seconds']} s, {r['area_list_queries']:,} statements |"
            )
    if "export" in results:
        r = results["export"]
        lines.append(
            f"| `/export/households.xlsx?region={r['region']}` (limit "
            f"{r['max_export_rows']:,} rows) | {r['runs_seconds']} s, "
            f"{r['file_bytes'] / 2**20:.1f} MB file, {r['queries']} statements, peak "
            f"{r['export_peak_rss_mb']:.0f} MB; measured {r['measured_at']}{_server_load(r)} |"
        )
    return lines + [""]


def _load(result: dict) -> list[str]:
    if "steps" not in result:  # a closed-model run of before the open model
        return []
    think = ", ".join(f"{name} {seconds:g} s" for name, seconds in result["think_seconds"].items())
    share = ", ".join(f"{name} {part:.0%}" for name, part in result["share"].items())
    lines = [
        "## Load: capacity",
        "",
        f"Measured {result['measured_at']} on {result['households_in_database']:,} households "
        "(bench/load_test.py, bench/locustfile.py): an open model, the arrival rate stepped up "
        f"every {result['step_seconds']:g} s until a step's p95 reached "
        f"{result['p95_limit_ms']:g} ms or a request failed, with the requests of a county's "
        f"working day ({share}; mean seconds between a person's requests: {think}), against "
        f"gunicorn with DEBUG off ({result['gunicorn_workers']} workers × "
        f"{result['gunicorn_threads']} threads, a psycopg pool of {result['db_pool_size']} a "
        "process) and one Celery worker, everything on this machine. "
        f"**Capacity: {result['capacity_rps']:g} requests/s** "
        f"({result['requests']:,} requests in all, {result['visits_stored']:,} visits stored).",
        "",
        "| offered req/s | users | achieved req/s | p50 | p95 | errors | worst path | "
        "cores: gunicorn / PostgreSQL / Celery / locust | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for step in result["steps"]:
        cores = " / ".join(
            f"{step.get(f'{part}_cores', 0):.2f}"
            for part in ("server", "postgres", "worker", "locust")
        )
        lines.append(
            f"| {step['rate']:g} | {step['users']} | {step['achieved_rps']:.1f} | "
            f"{step['p50_ms']:.0f} ms | {step['p95_ms']:.0f} ms | {step['errors']} | "
            f"`{step['worst_path']}` | {cores} | {step.get('load1', 0):.1f} |"
        )
    missed = result.get("first_missed_paths") or result.get("capacity_paths") or {}
    if missed:
        lines += [
            "",
            "Each path at the first step that missed (else at the capacity):",
            "",
            "| request | requests | failures | p50 | p95 | max |",
            "|---|---|---|---|---|---|",
        ]
        for name, row in sorted(missed.items()):
            lines.append(
                f"| `{name}` | {row['requests']:,} | {row['failures']} | {row['p50_ms']:.0f} ms | "
                f"{row['p95_ms']:.0f} ms | {row['max_ms']:.0f} ms |"
            )
    lines += [
        "",
        f"Peak memory: gunicorn {result['server_peak_rss_mb']:.0f} MB (largest process), "
        f"Celery worker {result['worker_peak_rss_mb']:.0f} MB, locust "
        f"{result['locust_peak_rss_mb']:.0f} MB.",
        "",
    ]
    return lines


def _growth(result: dict) -> list[str]:
    lines = [
        "## Growth",
        "",
        f"The whole bench again at {result['small_households']:,} households, beside "
        f"{result['large_households']:,} (bench/growth.py). A path that reads every row grows "
        "about 10×; one page read through an index should barely grow. Above "
        f"{result['limit']} a plan has turned worse than linear.",
        "",
        "| path | small | large | ratio |",
        "|---|---|---|---|",
    ]
    for label, row in result["paths"].items():
        lines.append(
            f"| {label} | {row['small']:,.2f} | {row['large']:,.2f} | {row['ratio']:.2f} |"
        )
    return lines + [""]


PATH_STEPS = ("list", "deep", "queue", "tasks", "signals", "export")


# The headline keys of results.json: (key, where it is measured, label, target, limit, higher is
# better, unit). Each is copied to the top level of the results so that one glance finds it.
HEADLINES = [
    ("scan_vs_naive", "scan_vs_naive", "full scan vs naive ORM loop", "≥ 150×", 150, True, "×"),
    (
        "scan_vs_sql_bound",
        "scan_vs_sql_bound",
        "full scan vs hand-written SQL",
        "≤ 2×",
        2,
        False,
        "×",
    ),
    (
        "evaluate_one_p95_ms",
        "evaluate_one_p95_ms",
        "evaluation after one visit, p95",
        "< 20 ms",
        20,
        False,
        " ms",
    ),
    (
        "list_vs_values",
        "list.list_vs_values",
        "household list vs plain values() as JSON",
        "≤ 1.5×",
        1.5,
        False,
        "×",
    ),
    ("list_db_ms", "list.list_db_ms", "household list, database time", "< 5 ms", 5, False, " ms"),
    (
        "deep_vs_first",
        "deep.deep_vs_first",
        "household list 2,000 rows deep vs first page",
        "≤ 2×",
        2,
        False,
        "×",
    ),
    (
        "dashboard_ms",
        "dashboard.county_p95_ms",
        "county dashboard, p95",
        "< 300 ms",
        300,
        False,
        " ms",
    ),
    (
        "queue_p95_ms",
        "queue.queue_p95_ms",
        "warning queue of a township, p95",
        "< 50 ms",
        50,
        False,
        " ms",
    ),
    (
        "household_page_p95_ms",
        "household.household_page_p95_ms",
        "one household's page, p95",
        "< 150 ms",
        150,
        False,
        " ms",
    ),
    (
        "tasks_p95_ms",
        "tasks.tasks_p95_ms",
        "task list of a township and of the county, p95",
        "< 100 ms",
        100,
        False,
        " ms",
    ),
    (
        "embedded_burst_seconds",
        "embedded_burst.embedded_burst_seconds",
        "embedded default: a burst of 150 visits, all evaluated",
        "< 10 s",
        10,
        False,
        " s",
    ),
    (
        "signal_batch_seconds",
        "signals.signal_batch_seconds",
        "department signal batch of 1,000",
        "< 2 s",
        2,
        False,
        " s",
    ),
    (
        "import_vs_copy",
        "import.import_vs_copy",
        "Excel import of 10,000 households vs COPY",
        "≤ 2×",
        2,
        False,
        "×",
    ),
    (
        "export_seconds",
        "export.export_seconds",
        "Excel export of 50,000 rows",
        "< 10 s",
        10,
        False,
        " s",
    ),
    (
        "export_peak_rss_mb",
        "export.export_peak_rss_mb",
        "Excel export, peak memory",
        "< 300 MB",
        300,
        False,
        " MB",
    ),
    (
        "capacity_rps",
        "load.capacity_rps",
        "capacity: highest arrival rate with p95 < 300 ms and 0 errors",
        "≥ 40 req/s",
        40,
        True,
        " req/s",
    ),
    (
        "growth_ratio_max",
        "growth.growth_ratio_max",
        "growth 1/10 → full scale, worst ratio",
        "≤ 12",
        12,
        False,
        "×",
    ),
    (
        "scan_speedup_two_workers",
        "scan_speedup_two_workers",
        "scan speed-up with two workers",
        "(reported)",
        None,
        True,
        "×",
    ),
    (
        "scan_speedup_two_celery_workers",
        "scan_speedup_two_celery_workers",
        "scan speed-up with two Celery workers",
        "(reported)",
        None,
        True,
        "×",
    ),
    (
        "backtest_seconds",
        "backtest.backtest_seconds",
        "backtest: 24 month-ends of the county, A beside B",
        "< 600 s",
        600,
        False,
        " s",
    ),
    (
        "replica_offload",
        "replica.replica_offload",
        "primary's CPU for the stale-tolerant reads, taken over by the replica",
        "> 0 (falls)",
        0.01,
        True,
        "",
    ),
]


def _bound_runs(results: dict) -> str:
    runs = results.get("sql_bound_runs", 3)  # a full run measures it three times
    return "one run" if runs == 1 else f"median of {runs}"


def headline(results: dict) -> dict:
    """The headline keys, read from where each step measured them."""
    from bench.growth import figure

    keys = {}
    for key, where, *_ in HEADLINES:
        value = figure(results, where)
        if value is not None:
            keys[key] = round(value, 2) if isinstance(value, float) else value
    deep = results.get("deep", {})
    if deep and deep.get("distinct_rows_read") != deep.get("rows_read"):
        keys["deep_vs_first_note"] = "rows repeat: the walk never reached row 2,000"
    return keys


def _met_target(value, limit, higher_is_better: bool) -> bool:
    if limit == 0:
        return value == 0
    return value >= limit if higher_is_better else value <= limit


def _headlines(results: dict) -> list[str]:
    lines = [
        "## Targets",
        "",
        "Every target of the benchmark in one table; the sections below give each figure's "
        "detail, the comparison it was measured against and when it was measured.",
        "",
        "| path | key | figure | target | met |",
        "|---|---|---|---|---|",
    ]
    labels, shares = [], []
    for key, _where, label, target, limit, higher, unit in HEADLINES:
        if key not in results:
            lines.append(f"| {label} | `{key}` | not measured | {target} | — |")
            continue
        value = results[key]
        shown = f"{value:,.2f}{unit}" if isinstance(value, float) else f"{value:,}{unit}"
        if limit is None:
            lines.append(f"| {label} | `{key}` | {shown} | {target} | — |")
            continue
        met = _met(_met_target(value, limit, higher))
        if key == "deep_vs_first" and "deep_vs_first_note" in results:
            met = f"**no** ({results['deep_vs_first_note']})"
        lines.append(f"| {label} | `{key}` | {shown} | {target} | {met} |")
        if limit:
            labels.append(key)
            shares.append(round(limit / value if higher else value / limit, 2) if value else 0)
    if labels:
        lines += [
            "",
            "Each figure as a share of its target (1 is the target; above 1 misses it):",
            "",
            "```mermaid",
            "xychart-beta horizontal",
            '    title "figure ÷ target"',
            "    x-axis [" + ", ".join(f'"{label}"' for label in labels) + "]",
            '    y-axis "share of target"',
            "    bar [" + ", ".join(str(share) for share in shares) + "]",
            "    line [" + ", ".join("1" for _ in shares) + "]",
            "```",
        ]
    return lines + [""]


def _layers(results: dict) -> list[str]:
    """The layers judged again after a standard change, beside the full scan."""
    r = results["layers"]
    scan = results.get("scan_seconds")
    beside = f" (the full scan: {scan} s, {r['seconds'] / scan:.2f}× it)" if scan else ""
    lines = [
        "## Layers of the one account",
        "",
        f"Measured {r['measured_at']} with `make bench BENCH_ONLY=layers`: the province's dibao "
        "standard raised by 10% through `standard_save`, which starts a scan "
        "(trigger `standard`) judging every household's layer again with its risk, on "
        f"{r['workers']} Celery worker processes.",
        "",
        "| measured | value |",
        "|---|---|",
        f"| layers judged again after a standard change | {r['seconds']:.1f} s{beside}, "
        f"{r['judged']:,} households, {r['chunks']} chunks, worker peak "
        f"{r['worker_peak_rss_mb']:.0f} MB |",
        f"| households per layer before | {_counts(r['layers_before'])} |",
        f"| households per layer after | {_counts(r['layers_after'])} |",
        "",
    ]
    if r.get("opened"):
        lines += [
            f"The run also opened {r['opened']:,} warnings: the registry's first judgement, "
            "the scan at its largest.",
            "",
        ]
    return lines


def _backtest(r: dict) -> list[str]:
    """The early warning replayed over the county's past month-ends (bench/backtest.py)."""
    return [
        "## Backtest of the early warning",
        "",
        f"Measured {r['measured_at']} with `make bench BENCH_ONLY=backtest`: the rules replayed "
        f"at {r['backtest_month_ends']} month-ends over the county's "
        f"{r['backtest_households']:,} households on the facts as they stood (the scan's "
        f"loader with its date cut, chunks of 5,000, no lock), {r['backtest_configurations']} "
        "configurations side by side, in one process, then measured against enrolments "
        "(docs/backtesting.md).",
        "",
        "| measured | value |",
        "|---|---|",
        f"| whole backtest | {r['backtest_seconds']:.1f} s "
        f"({r['backtest_seconds_per_month_end']:.2f} s a month-end), peak "
        f"{r['peak_rss_mb']:.0f} MB |",
        f"| queries | {r['backtest_queries']:,} "
        f"({r['backtest_queries_per_chunk_month']} per chunk and month-end) |",
        f"| households flagged at least once, A / B | {r['backtest_flagged_a']:,} / "
        f"{r['backtest_flagged_b']:,} |",
        "",
    ]


def _counts(counts: dict) -> str:
    return ", ".join(f"{layer} {n:,}" for layer, n in sorted(counts.items()))


def write_markdown(results: dict, path: Path) -> None:
    lines = ["# Benchmarks", ""]
    lines += _headlines(results)
    if "scan_seconds" in results:
        lines += _early_warning(results)
    if "layers" in results:
        lines += _layers(results)
    if "dashboard" in results:
        lines += _dashboard(results["dashboard"])
    if "import" in results:
        lines += _import(results["import"])
    if any(step in results for step in PATH_STEPS):
        lines += _paths(results)
    if "load" in results:
        lines += _load(results["load"])
    if "growth" in results:
        lines += _growth(results["growth"])
    if "backtest" in results:
        lines += _backtest(results["backtest"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
