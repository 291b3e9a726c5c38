"""gunicorn's own log lines go through the project's handler (JSON, masking) and never print a raw
request line or query string: gunicorn started as Dixian starts it, fed malformed requests."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

PHONE, ID_NUMBER, NAME = "13812345678", "620423197705235699", "%E5%BC%A0%E4%B8%89"
QUERY = f"phone={PHONE}&id_number={ID_NUMBER}&name={NAME}"
MALFORMED = [
    # A request line gunicorn cannot split, an unknown HTTP version, a header it refuses.
    f"GET/households/?{QUERY}\r\n\r\n",
    f"GET /households/?{QUERY} HTTP/9.9\r\n\r\n",
    f"GET /households/?{QUERY} HTTP/1.1 trailing\r\n\r\n",
    f"GET /households/?{QUERY} HTTP/1.1\r\nBad Header{PHONE}: x\r\n\r\n",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/live", timeout=5).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="module")
def gunicorn_log(tmp_path_factory):
    port = _free_port()
    stderr = tmp_path_factory.mktemp("gunicorn") / "stderr.log"
    environment = {**os.environ, "DIXIAN_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"}
    with stderr.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
            + ["-b", f"127.0.0.1:{port}", "-w", "1"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(port)
        for request in MALFORMED:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(request.encode())
                assert client.recv(4096).startswith(b"HTTP/1.1 4")
        # A well-formed request with a query string: gunicorn's access log would print it.
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/live?{QUERY}", timeout=10)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return stderr.read_text()


def test_malformed_requests_are_logged_without_their_request_line(gunicorn_log):
    invalid = [line for line in gunicorn_log.splitlines() if "Invalid request from" in line]
    assert len(invalid) == len(MALFORMED), gunicorn_log
    for line in invalid:
        record = json.loads(line)  # the project's JSON formatter, not gunicorn's own
        assert record["logger"] == "gunicorn.error" and record["level"] == "WARNING"
        assert "ip=127.0.0.1" in record["message"]


def test_no_query_string_or_number_reaches_gunicorns_log(gunicorn_log):
    assert "Booting worker" in gunicorn_log  # gunicorn's own lines are there
    for value in (PHONE, ID_NUMBER, NAME, "phone=", "id_number", "/households/", "?"):
        assert value not in gunicorn_log, f"{value!r} reached the log:\n{gunicorn_log}"


def test_a_failed_requests_uri_is_cut_from_gunicorns_line():
    import logging

    from core.request_log import GunicornRequestLineFilter

    # What gunicorn logs when the application raises past Django (workers/base.py).
    record = logging.makeLogRecord(
        {
            "name": "gunicorn.error",
            "msg": "Error handling request %s %s",
            "args": ("GET", f"/members/?{QUERY}"),
        }
    )
    assert GunicornRequestLineFilter().filter(record)
    assert record.getMessage() == "Error handling request GET (URI not logged)"


def test_each_worker_is_warmed_up_before_it_serves(gunicorn_log):
    # config/gunicorn.py's post_worker_init: its line comes before the worker's first request.
    warmed = [json.loads(line) for line in gunicorn_log.splitlines() if '"warmed up"' in line]
    assert len(warmed) == 1, gunicorn_log
    assert warmed[0]["logger"] == "dixian.warmup"
    assert warmed[0]["templates"] > 100 and warmed[0]["modules"] > 200
