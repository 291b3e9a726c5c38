"""A server process made ready before its first request, not by it.

Django does much of its work on first use: the URLconf and every view module are imported by the
first request, each template is compiled by the first page that renders it, each language's
catalogue is read by the first request in that language, and many modules import their helpers
inside the function that needs them. Measured on the bench's county (2026-12-03, 100,000
households): a household page took 1.3 s in a fresh process and 0.1 s after, and the first
step of the load test missed its 300 ms only on the first requests of each gunicorn worker. A
cadre who opens the system after a restart (a deploy, a worker recycled) should not wait for it.
Celery, too, finalizes its app and loads and connects its broker transport on the first task a
process queues: the first visit of each worker took 530–700 ms at the bench (2026-12-04,
1,000,000 households; 25–45 ms after), so the broker is connected here as well.

gunicorn calls warm() in each worker before it serves (config/gunicorn.py: post_worker_init).
A warm-up is only a speed-up: a module that cannot be imported (the demo app's faker is not in the
production image) is skipped and named in the log, and nothing it raises stops a worker.
"""

import importlib
import logging
import pkgutil
import time
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger("dixian.warmup")

# Modules a server never runs: schema changes, commands and the app's own tests.
SKIPPED_PARTS = {"migrations", "management", "tests"}


def warm() -> dict:
    """Imports, templates and catalogues loaded now; what was loaded, with the seconds it took."""
    started = time.perf_counter()
    skipped: list[str] = []
    loaded: dict = {"modules": _import_project_modules(skipped), "skipped": skipped}
    loaded["urls"] = _load_urls()
    loaded["templates"] = _compile_project_templates()
    loaded["languages"] = _load_catalogues()
    loaded["broker"] = _connect_broker()
    loaded["seconds"] = round(time.perf_counter() - started, 2)
    logger.info("warmed up", extra=loaded)
    return loaded


def warm_quietly() -> None:
    """warm(), whatever it raises logged rather than raised: a worker that is not warm still
    serves, one that fails to boot takes gunicorn's master down with it."""
    try:
        warm()
    except Exception:
        logger.exception("warm-up failed; the worker serves cold")


def _project_apps() -> list:
    base = Path(settings.BASE_DIR).resolve()  # its apps are its folders; .venv's are not
    return [app for app in apps.get_app_configs() if Path(app.path).resolve().parent == base]


def _import_project_modules(skipped: list[str]) -> int:
    """Every module of the project's own apps, as the views' imports inside functions want;
    the names of those that failed to import are added to `skipped`."""
    count = 0
    for app in _project_apps():
        package = importlib.import_module(app.name)
        for name in _module_names(package.__path__, f"{app.name}."):
            try:
                importlib.import_module(name)
            except Exception:  # an optional dependency missing here: not this worker's to fix
                skipped.append(name)
            else:
                count += 1
    return count


def _module_names(path, prefix: str) -> Iterator[str]:
    """The modules and packages under `path`, never entering a SKIPPED_PARTS folder."""
    for module in pkgutil.iter_modules(path, prefix):
        if module.name.rsplit(".", 1)[-1] in SKIPPED_PARTS:
            continue
        yield module.name
        if module.ispkg:
            finder_path = getattr(module.module_finder, "path", "")  # a FileFinder's folder
            folder = Path(finder_path) / module.name.rsplit(".", 1)[-1]
            yield from _module_names([str(folder)], f"{module.name}.")


def _load_urls() -> int:
    resolver = get_resolver()
    return len(resolver.reverse_dict)  # imports the URLconf and every view it names


def _compile_project_templates() -> int:
    """The project's templates compiled into each engine's cached loader."""
    count = 0
    app_folders = [Path(app.path) / "templates" for app in _project_apps()]
    for engine in engines.all():
        for folder in [*map(Path, engine.dirs), *app_folders]:
            for path in sorted(folder.rglob("*.html")) if folder.is_dir() else []:
                engine.get_template(path.relative_to(folder).as_posix())
                count += 1
    return count


def _connect_broker() -> str:
    """Celery's app finalized and a producer's connection opened, kept in the app's pool for the
    first task this process queues; the transport's name. A broker that does not answer now is
    left for that first task to reach (it is named in the log, not raised)."""
    from config.celery import app

    app.finalize()
    try:
        with app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1)
            return producer.connection.transport.driver_name
    except Exception as error:  # kombu raises the transport's own errors
        logger.warning("warm-up: the broker did not answer", extra={"error": str(error)})
        return ""


def _load_catalogues() -> list[str]:
    languages = [code for code, _name in settings.LANGUAGES]
    for code in languages:
        with translation.override(code):
            translation.gettext("Dixian")
    return languages
