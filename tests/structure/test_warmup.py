"""A server process is made ready before its first request (config/warmup.py): every template of
the project compiled, every module of its apps imported, both languages' catalogues read."""

import logging
import sys
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.utils import translation

from config import warmup


def _project_templates() -> set[str]:
    folders = [Path(settings.BASE_DIR) / "templates"]
    folders += [Path(app.path) / "templates" for app in warmup._project_apps()]
    return {
        path.relative_to(folder).as_posix()
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*.html")
    }


def test_warm_compiles_every_project_template_into_the_cached_loader():
    engine = engines["django"].engine
    cached_loader = engine.template_loaders[0]
    cached_loader.reset()

    loaded = warmup.warm()

    assert loaded["templates"] >= len(_project_templates()) > 100
    cached = {key.split("-")[0] for key in cached_loader.get_template_cache}
    assert _project_templates() <= cached
    assert "households/household_detail.html" in cached


def test_warm_imports_the_apps_modules_and_reads_both_catalogues():
    loaded = warmup.warm()

    assert loaded["modules"] > 200 and loaded["urls"] > 100
    assert loaded["languages"] == ["zh-hans", "en"]
    assert set(translation.trans_real._translations) >= {"zh-hans", "en"}
    # Only the project's own apps, never a package of the virtual environment.
    assert {app.name for app in warmup._project_apps()} >= {"households", "monitoring", "demo"}
    assert not any(".venv" in app.path for app in warmup._project_apps())


def test_a_module_that_cannot_be_imported_is_skipped_not_raised(monkeypatch):
    # The production image installs no demo group: the demo app's faker is missing there.
    for name in [name for name in sys.modules if name.startswith(("demo.", "faker."))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "faker", None)

    loaded = warmup.warm()

    assert "demo.households" in loaded["skipped"]
    assert loaded["modules"] > 200 and loaded["templates"] > 100


def test_nothing_the_warm_up_raises_stops_a_worker(monkeypatch, caplog):
    def broken():
        raise RuntimeError("a template that no longer compiles")

    monkeypatch.setattr(warmup, "_compile_project_templates", broken)

    warmup.warm_quietly()  # gunicorn's post_worker_init: a raise here would stop the master

    assert "warm-up failed; the worker serves cold" in caplog.text
    assert "a template that no longer compiles" in caplog.text


def test_gunicorn_warms_each_worker_quietly():
    source = (Path(settings.BASE_DIR) / "config" / "gunicorn.py").read_text()
    assert "def post_worker_init(worker)" in source and "warm_quietly()" in source


def test_warm_connects_celery_to_its_broker_before_the_first_task():
    from config.celery import app

    loaded = warmup.warm()

    assert app.finalized
    assert loaded["broker"]  # the transport's driver: redis in CI, the filesystem's without one
    with app.producer_or_acquire() as producer:  # the pool's connection, already open
        assert producer.connection.connected


def test_a_broker_that_does_not_answer_leaves_the_warm_up_going(monkeypatch, caplog):
    from config.celery import app

    monkeypatch.setattr(app, "producer_or_acquire", _refused)

    with caplog.at_level(logging.WARNING, logger="dixian.warmup"):
        loaded = warmup.warm()

    assert loaded["broker"] == "" and loaded["templates"] > 100
    assert "the broker did not answer" in caplog.text


def _refused(*args, **kwargs):
    raise ConnectionRefusedError("no broker here")
