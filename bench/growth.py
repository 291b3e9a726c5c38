"""Growth: every path measured at SCALE and at a tenth of it, and the ratio of the two.

A path whose cost follows the rows it must read grows about 10× from 100,000 to 1,000,000
households (the full scan, the SQL bound, the dashboards' refresh); a path that reads one page
through an index should barely grow at all. A ratio above 12 means a plan that gets worse than
linear — a nested loop over a growing table, a sort that spills — and fails the target.
"""

# (label, where the figure is in results.json: a top-level key or "step.key")
PATHS = [
    ("full scan", "scan_seconds"),
    ("full re-scan, nothing changed", "full_rescan_unchanged_seconds"),
    ("hand-written SQL bound", "sql_bound_seconds"),
    ("evaluation after one visit, p95", "evaluate_one_p95_ms"),
    ("dashboard refresh", "dashboard.refresh_seconds"),
    ("county dashboard, p95", "dashboard.county_p95_ms"),
    ("household list, API", "list.api_ms"),
    ("household list, page", "list.page_ms"),
    ("household list 2,000 rows deep, API", "deep.api_deep_ms"),
    ("warning queue, p95", "queue.queue_p95_ms"),
    ("household page, p95", "household.household_page_p95_ms"),
    ("task lists, p95", "tasks.tasks_p95_ms"),
    ("signal batch", "signals.signal_batch_seconds"),
    ("Excel import", "import.import_seconds"),
    ("Excel export", "export.export_seconds"),
    ("load at the first step, worst path p95", "load.load_p95_ms"),
]
LIMIT = 12


def figure(results: dict, where: str) -> float | None:
    value = results
    for key in where.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    if isinstance(value, list):  # repeated runs: the median
        value = sorted(value)[len(value) // 2] if value else None
    return value


def ratios(large: dict, small: dict) -> dict:
    """Per path: the figure at both scales and their ratio; the largest ratio."""
    rows = {}
    for label, where in PATHS:
        big, little = figure(large, where), figure(small, where)
        if big is None or not little:
            continue
        rows[label] = {"large": big, "small": little, "ratio": round(big / little, 2)}
    return {
        "large_households": large.get("households"),
        "small_households": small.get("households"),
        "paths": rows,
        "growth_ratio_max": max((row["ratio"] for row in rows.values()), default=None),
        "limit": LIMIT,
    }
