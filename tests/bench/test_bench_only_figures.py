"""`bench/run.py --only` keeps the headline figures its steps measure again, and growth may reuse
the smaller registry's run: the targets and the growth ratios read one run's figures, not a
figure of another day's machine beside one of today's."""

import argparse
import json

from bench import run

SCAN = {"seconds": 42.76, "opened": 0, "updated": 0, "resolved": 0}


def test_a_re_scan_that_changed_nothing_is_the_full_re_scan_figure():
    figures = run._headline_figures(["scan"], {"scan": SCAN}, built=False, command="scan")
    assert figures == {
        "full_rescan_unchanged_seconds": 42.76,
        "headline_figures_command": "bench/run.py --only scan",
    }


def test_a_scan_that_changed_something_or_judged_a_new_county_is_not():
    changed = {**SCAN, "resolved": 50_249}
    assert run._headline_figures(["scan"], {"scan": changed}, built=False, command="scan") == {}
    assert run._headline_figures(["scan"], {"scan": SCAN}, built=True, command="scan") == {}


def test_the_evaluation_after_a_visit_is_kept_at_the_top():
    results = {"evaluate_one": {"p50_ms": 8.314, "p95_ms": 11.578}}
    figures = run._headline_figures(["evaluate_one"], results, built=False, command="evaluate_one")
    assert (figures["evaluate_one_p50_ms"], figures["evaluate_one_p95_ms"]) == (8.31, 11.58)


def test_growth_reuses_the_smaller_run_without_running_it(tmp_path, monkeypatch):
    small = tmp_path / "var" / "bench" / f"{run.BENCH_DATABASE}_growth.json"
    small.parent.mkdir(parents=True)
    small.write_text(json.dumps({"households": 100_000, "full_rescan_unchanged_seconds": 3.69}))
    monkeypatch.setattr(run, "BASE_DIR", tmp_path)
    monkeypatch.setenv("BENCH_GROWTH_REUSE", "1")
    monkeypatch.setattr(
        run.subprocess, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError)
    )
    large = {"households": 1_000_000, "full_rescan_unchanged_seconds": 42.76}
    growth = run._growth(argparse.Namespace(growth_scale=100_000), large)
    assert growth["paths"] == {
        "full re-scan, nothing changed": {"large": 42.76, "small": 3.69, "ratio": 11.59}
    }
    assert growth["growth_ratio_max"] == 11.59


def test_the_runs_own_steps_are_not_figures():
    # `--only households` (build a county, measure nothing) wrote the step's block over the
    # county's size and the report failed on it.
    steps = ["households", "list", "build", "queue", "migrate", "growth"]
    assert run._measured(steps) == ["list", "queue"]
