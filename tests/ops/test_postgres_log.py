"""The PostgreSQL server's own log never receives a statement's values: the embedded server of
`make run` runs with QUIET_LOG_SETTINGS (docker-compose.yml gives production's the same)."""

import socket

import psycopg
import pytest

from ops import embedded_postgres

PHONE, DIAGNOSIS, ID_CIPHERTEXT = (
    "13912345678",
    "尿毒症透析",
    "gAAAAABnSecretCiphertextOfAnIdNumber",
)
MASKED_ID = "620423********5699"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    pgdata = tmp_path_factory.mktemp("pg") / "pgdata"
    url = embedded_postgres.db_start(pgdata, _free_port())
    yield url, pgdata / "server.log"
    embedded_postgres.db_stop(pgdata)


def test_a_failing_insert_leaves_no_personal_value_in_the_server_log(embedded_server):
    url, log = embedded_server
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE member (id_hash text UNIQUE, id_number text NOT NULL,"
            " id_masked text, phone text, health_note text CHECK (health_note <> 'x'))"
        )
        row = ("hash-1", ID_CIPHERTEXT, MASKED_ID, PHONE, DIAGNOSIS)
        insert = (
            "INSERT INTO member (id_hash, id_number, id_masked, phone, health_note)"
            " VALUES (%s, %s, %s, %s, %s)"
        )
        connection.execute(insert, row)
        # Django binds on the client (psycopg's ClientCursor): the values are in the statement.
        # The duplicate-ID race, a NOT NULL and a CHECK violation, each also with server-side
        # binding, where they would be logged as the statement's parameters instead.
        failing = [
            row,
            ("hash-2", None, MASKED_ID, PHONE, DIAGNOSIS),
            ("hash-3", ID_CIPHERTEXT, MASKED_ID, PHONE, "x"),
        ]
        for cursor in (psycopg.ClientCursor(connection), connection.cursor()):
            for values in failing:
                with pytest.raises(psycopg.IntegrityError):
                    cursor.execute(insert, values)

    text = log.read_text(errors="replace")
    # The errors are logged (the operator still sees that something failed, and what) ...
    assert text.count("duplicate key value violates unique constraint") == 2, text
    assert text.count("violates not-null constraint") == 2, text
    # ... and nothing of the row: no statement, no DETAIL with the key or the failing row.
    for value in (PHONE, DIAGNOSIS, ID_CIPHERTEXT, MASKED_ID, "hash-1", "INSERT INTO"):
        assert value not in text, f"{value} reached the server log:\n{text}"


def test_the_settings_hold_for_every_connection(embedded_server):
    url, _ = embedded_server
    with psycopg.connect(url) as connection:
        for name, value in embedded_postgres.QUIET_LOG_SETTINGS.items():
            shown = connection.execute(f"SHOW {name}").fetchone()[0]
            assert shown.lower() == value.lower() or (shown, value) == ("0", "0"), name
