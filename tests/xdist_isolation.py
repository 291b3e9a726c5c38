"""What each pytest-xdist worker keeps to itself, set up before Django reads its settings.

`make test` runs the suite in several worker processes (pytest-xdist, `-n auto`). The test
database is already per worker (pytest-django names it test_<name>_gw0, test_<name>_gw1, ...);
this plugin, loaded with `-p tests.xdist_isolation` (pyproject.toml) before pytest-django sets
Django up, gives each worker the rest of what it would otherwise share, through the environment
so that the Celery workers, gunicorn and manage.py processes the tests start inherit it:

- Redis: worker gwN uses database number base - N, the base being the one CELERY_BROKER_URL
  names (0 when it names none). CI's redis://127.0.0.1:6379/15 becomes /15 and /14 on two
  workers; a base lower than the number of workers is refused rather than wrapped around.
- The filesystem broker (DIXIAN_BROKER_DIR, `make test` without a broker): a folder per worker,
  var/test-broker/gwN.
- The import and export folders (DIXIAN_IMPORT_DIR, DIXIAN_EXPORT_DIR, default var/imports and
  var/exports): a folder per worker, so that a test reading every file left there never sees
  another worker's upload or export.
- Attached files (DIXIAN_MEDIA_ROOT): var/test-evidence/gwN, never the pilot's var/evidence
  (with or without xdist).

worker_suffix() names what a test makes outside its database (PostgreSQL roles, databases).
Without xdist (or with `-n 0`) nothing changes.
"""

import os
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_index() -> int:
    return int(WORKER[2:]) if WORKER.startswith("gw") else 0


def worker_suffix() -> str:
    """'_gw0', '_gw1', ... under xdist, '' without: for names shared by the whole server."""
    return f"_{WORKER}" if WORKER else ""


def _redis_url_for_worker(url: str, index: int) -> str:
    match = re.match(r"^(rediss?://[^/?#]*)(?:/(\d*))?([?#].*)?$", url)
    if not match:
        raise RuntimeError(f"cannot read the Redis database number of {url}")
    prefix, number, rest = match.group(1), match.group(2), match.group(3) or ""
    base = int(number) if number else 0
    if base - index < 0:
        raise RuntimeError(
            f"xdist worker {WORKER} would use Redis database {base - index}: name a database"
            f" number of at least the number of workers minus one in CELERY_BROKER_URL ({url})"
        )
    return f"{prefix}/{base - index}{rest}"


def _isolate() -> None:
    index = worker_index()
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith(("redis://", "rediss://")):
        os.environ["CELERY_BROKER_URL"] = _redis_url_for_worker(broker, index)
    else:
        broker_dir = os.environ.get("DIXIAN_BROKER_DIR") or str(BASE_DIR / "var" / "test-broker")
        os.environ["DIXIAN_BROKER_DIR"] = str(Path(broker_dir) / WORKER)
    for variable, default in (("DIXIAN_IMPORT_DIR", "imports"), ("DIXIAN_EXPORT_DIR", "exports")):
        folder = os.environ.get(variable) or str(BASE_DIR / "var" / default)
        os.environ[variable] = str(Path(folder) / WORKER)


# Tests never write attached files among a pilot's own (var/evidence), xdist or not.
if not os.environ.get("DIXIAN_XDIST_ISOLATED"):
    os.environ.setdefault(
        "DIXIAN_MEDIA_ROOT", str(BASE_DIR / "var" / "test-evidence" / (WORKER or "main"))
    )

# At import, which `-p` makes happen before any conftest and before Django's settings load. The
# guard keeps a process that imports this module again (a worker's child) from moving twice.
if WORKER and os.environ.get("DIXIAN_XDIST_ISOLATED") != WORKER:
    _isolate()
    os.environ["DIXIAN_XDIST_ISOLATED"] = WORKER
