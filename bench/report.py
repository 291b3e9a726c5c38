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
        f"| naive loop | {results['naive_sample_seconds']} s for {results['naive_sample']:,} households, "
        f"{results['naive_extrapolated_seconds']} s extrapolated |",
        f"| SQL bound | {results['sql_bound_seconds']} s (median of 3) |",
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
    return lines


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


def _import(result: dict) -> list[str]:
    seconds = result["import_seconds"]
    met = "yes" if seconds < 30 else "**no**"

    def members(key: str) -> str:
        counts = result[key]
        return f"{counts['new']:,} new, {counts['changed']:,} changed, {counts['unchanged']:,} unchanged"

    return [
        "## Excel import",
        "",
        f"Measured {result['measured_at']} on a registry of "
        f"{result['households_in_database']:,} households: a {result['rows']:,}-row template "
        f"({result['file_bytes'] / 1024:.0f} KB, built in {result['build_seconds']} s) through "
        "the same service as the page (bench/spreadsheet_import.py; rolled back at the end).",
        "",
        "| path | figure | target | met |",
        "|---|---|---|---|",
        f"| import of {result['rows']:,} rows | {seconds} s | < 30 s | {met} |",
        "",
        "| measured | value |",
        "|---|---|",
        f"| dry run (check, nothing written) | {result['dry_run_seconds']} s; members "
        f"{members('dry_run_members')} |",
        f"| import | {seconds} s; members {members('import_members')} |",
        f"| the same file again | {result['reimport_seconds']} s; members "
        f"{members('reimport_members')} |",
        f"| peak memory of the process | {result['peak_rss_mb']:.0f} MB |",
        "",
    ]


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


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
            f"| household list, API vs `.values()` + json.dumps | {r['list_vs_values']:.1f}× | "
            f"≤ 1.5× | {_met(r['list_vs_values'] <= 1.5)} |"
        )
        rows.append(
            f"| household list, API database time | {r['list_db_ms']:.1f} ms | < 5 ms | "
            f"{_met(r['list_db_ms'] < 5)} |"
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
    if "signals" in results:
        r = results["signals"]
        rows.append(
            f"| signal batch of {r['items']:,} items | {r['signal_batch_seconds']:.2f} s | < 2 s | "
            f"{_met(r['signal_batch_seconds'] < 2)} |"
        )
    if "export" in results:
        r = results["export"]
        rows.append(
            f"| Excel export of {r['rows']:,} households | {r['export_seconds']:.1f} s | < 20 s | "
            f"{_met(r['export_seconds'] < 20)} |"
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
            f"({r['page_db_ms']:.1f} ms in {r['page_queries']} statements); `.values()` "
            f"{r['values_ms']:.1f} ms; measured {r['measured_at']} |"
        )
    if "deep" in results:
        r = results["deep"]
        lines.append(
            f"| 2,000 rows deep ({r['pages_followed']} `next` links, {r['walk_seconds']:.1f} s) | "
            f"API {r['api_first_ms']:.1f} → {r['api_deep_ms']:.1f} ms; the walk read "
            f"{r['rows_read']:,} rows of which {r['distinct_rows_read']:,} distinct; ordered by "
            f"number {r['by_number_first_ms']:.1f} → {r['by_number_deep_ms']:.1f} ms "
            f"({r['by_number_deep_vs_first']:.2f}×, {r['by_number_distinct_rows_read']:,} "
            f"distinct rows); page (OFFSET) {r['page_first_ms']:.1f} → {r['page_deep_ms']:.1f} ms "
            f"({r['page_deep_vs_first']:.2f}×); measured {r['measured_at']} |"
        )
    if "queue" in results:
        r = results["queue"]
        lines.append(
            f"| warning queue, {r['active_alerts']:,} active warnings, {r['reads']} reads each | "
            f"API p50 {r['api_p50_ms']:.1f} ms, p95 {r['api_p95_ms']:.1f} ms "
            f"({r['api_db_ms']:.1f} ms in {r['api_queries']} statements); page `/alerts/` "
            f"p50 {r['page_p50_ms']:.1f} ms, p95 {r['page_p95_ms']:.1f} ms "
            f"({r['page_db_ms']:.1f} ms in {r['page_queries']} statements); "
            f"measured {r['measured_at']} |"
        )
    if "signals" in results:
        r = results["signals"]
        outcome = ", ".join(f"{count:,} {key}" for key, count in sorted(r["results"].items()))
        lines.append(
            f"| signal batches ({r['area_items']} area signals, the rest about people; rolled "
            f"back) | {r['batch_seconds']} s; per batch {outcome}; {r['queries']:,} statements; "
            f"measured {r['measured_at']} |"
        )
    if "export" in results:
        r = results["export"]
        lines.append(
            f"| `/export/households.xlsx?region={r['region']}` (limit "
            f"{r['max_export_rows']:,} rows) | {r['runs_seconds']} s, "
            f"{r['file_bytes'] / 2**20:.1f} MB file, {r['queries']} statements, peak "
            f"{r['export_peak_rss_mb']:.0f} MB; measured {r['measured_at']} |"
        )
    return lines + [""]


PATH_STEPS = ("list", "deep", "queue", "signals", "export")


def write_markdown(results: dict, path: Path) -> None:
    lines = ["# Benchmarks", ""]
    if "scan_seconds" in results:
        lines += _early_warning(results)
    if "dashboard" in results:
        lines += _dashboard(results["dashboard"])
    if "import" in results:
        lines += _import(results["import"])
    if any(step in results for step in PATH_STEPS):
        lines += _paths(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
