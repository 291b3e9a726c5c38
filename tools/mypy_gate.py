"""The type gate: mypy over the project, held to a baseline that can only shrink.

    python tools/mypy_gate.py                   # check (what `make typecheck` runs)
    python tools/mypy_gate.py --write-baseline  # rewrite mypy-baseline.txt from today's errors

The baseline lists the errors we still live with, one a line as `file: [code] message`, without
line numbers so that editing a file above an old error does not move it. The same line may appear
more than once: it is counted. The check fails when

- an error is not in the baseline (new code must type-check),
- the baseline lists an error that no longer occurs (fixing one means deleting its line in the
  same commit, so the file only shrinks), or
- any error, baselined or not, is in a zero-error zone: `core/`, `monitoring/engine/`, and every
  app's services and selectors. Those never enter the baseline.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"

ZERO_ERROR_ZONES = (
    re.compile(r"^core/"),
    re.compile(r"^monitoring/engine/"),
    re.compile(r"^[a-z_]+/services(\.py|/)"),
    re.compile(r"^[a-z_]+/selectors(\.py|/)"),
    # Services by what they do, though not by name: scans and their failures, import and export
    # jobs, the registry's rules.
    re.compile(
        r"^(monitoring/scans|monitoring/evaluation_failures|spreadsheets/jobs"
        r"|spreadsheets/export_jobs|households/registry_rules)\.py$"
    ),
    re.compile(r"^households/evaluation_requests\.py$"),
)

HEADER = """\
# mypy errors still tolerated outside the zero-error zones; it may only shrink.
# Check: make typecheck. After fixing errors: .venv/bin/python tools/mypy_gate.py --write-baseline
"""

# A message may name another line ("defined on line 12"); keyed without it, like the error itself.
LINE_NUMBER = re.compile(r"\bline \d+\b")


def in_zero_error_zone(path: str) -> bool:
    return any(zone.search(path) for zone in ZERO_ERROR_ZONES)


def run_mypy() -> list[tuple[str, int, str]]:
    """Each error as (file, line, key); notes are left out."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", ".", "--output", "json", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mypy failed to run (exit {proc.returncode})")
    errors = []
    for raw in proc.stdout.splitlines():
        if not raw.startswith("{"):
            continue
        item = json.loads(raw)
        if item["severity"] != "error":
            continue
        message = LINE_NUMBER.sub("line N", item["message"])
        key = f"{item['file']}: [{item['code']}] {message}"
        errors.append((item["file"], item["line"], key))
    return errors


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line.strip() and not line.startswith("#"))


def write_baseline(keys: list[str]) -> None:
    BASELINE.write_text(HEADER + "".join(f"{key}\n" for key in sorted(keys)), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--write-baseline",
        action="store_true",
        help="rewrite the baseline from today's errors (zero-error zones still fail)",
    )
    args = parser.parse_args()

    errors = run_mypy()
    zoned = [(path, line, key) for path, line, key in errors if in_zero_error_zone(path)]
    rest = [key for path, _, key in errors if not in_zero_error_zone(path)]
    failed = False

    if zoned:
        failed = True
        print(f"{len(zoned)} mypy error(s) where none may be (core, engine, services, selectors):")
        for path, line, key in zoned:
            print(f"  {path}:{line}: {key.split(': ', 1)[1]}")

    if args.write_baseline:
        write_baseline(rest)
        print(f"wrote {BASELINE.name}: {len(rest)} error(s)")
        return 1 if failed else 0

    baseline = read_baseline()
    current = Counter(rest)
    new = current - baseline
    gone = baseline - current
    if new:
        failed = True
        print(f"{sum(new.values())} mypy error(s) not in {BASELINE.name}; fix them:")
        for path, line, key in errors:
            if new[key] > 0 and not in_zero_error_zone(path):
                print(f"  {path}:{line}: {key.split(': ', 1)[1]}")
    if gone:
        failed = True
        print(
            f"{sum(gone.values())} line(s) of {BASELINE.name} no longer occur; delete them "
            "(or run tools/mypy_gate.py --write-baseline):"
        )
        for key, count in sorted(gone.items()):
            print(f"  {key}" + (f"  (x{count})" if count > 1 else ""))
    if not failed:
        print(f"mypy: {len(rest)} baselined error(s), none new, none in the zero-error zones")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
