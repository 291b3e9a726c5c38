"""`make bench BENCH_RESUME=1` goes on from where a run stopped (bench/run.py --resume): the steps
the progress file recorded are read back in their order, the others run. A run at 1,000,000
households is over an hour; a step that fails late must not cost the figures before it."""

import argparse
import json

import pytest

from bench import run


@pytest.fixture
def progress(tmp_path, monkeypatch):
    path = tmp_path / "dixian_bench-progress.jsonl"
    monkeypatch.setattr(run, "_progress_path", lambda: path)
    monkeypatch.setattr(run, "_REPLAY", [])
    return path


def test_a_recorded_step_is_read_back_in_order_and_an_unrecorded_one_runs(progress, monkeypatch):
    lines = [
        {"step": "sql_bound", "at": "2026-12-04T05:24:42", "sql_bound_seconds": 25.8},
        {"step": "sql_bound", "at": "2026-12-04T05:25:08", "sql_bound_seconds": 21.5},
        {"step": "export", "at": "2026-12-04T05:41:58", "export_seconds": 9.2},
    ]
    progress.write_text("".join(json.dumps(line) + "\n" for line in lines))
    ran = []
    monkeypatch.setattr(run.subprocess, "run", lambda command, **kwargs: ran.append(command))
    run._replay_progress(argparse.ArgumentParser())
    args = argparse.Namespace(scale=1000, sample=10)

    first = run._run_step("sql_bound", args, "postgres://x/dixian_bench")
    second = run._run_step("sql_bound", args, "postgres://x/dixian_bench")
    export = run._run_step("export", args, "postgres://x/dixian_bench")

    assert (first["sql_bound_seconds"], second["sql_bound_seconds"]) == (25.8, 21.5)
    assert export == {"export_seconds": 9.2, "measured_at": "2026-12-04T05:41:58"}
    assert ran == []  # nothing recorded was run again
    with pytest.raises(AttributeError):  # the stub answers None: "load", not recorded, ran
        run._run_step("load", args, "postgres://x/dixian_bench")
    assert ran and "load" in ran[0]


def test_nothing_to_resume_is_a_clear_error(progress):
    parser = argparse.ArgumentParser()
    with pytest.raises(SystemExit):
        run._replay_progress(parser)
