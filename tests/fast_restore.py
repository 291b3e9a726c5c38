"""Putting back the rows the test session loaded, by COPY instead of Django's row-by-row load.

A transactional test (committed rows, a live server) ends with a flush, and the rows the session
loaded (the regions, the permissions, the migrations' own rows: about 1,100) are put back twice
around it: after the flush (tests/conftest.py, for the ordinary tests that follow) and when the
next test with serialized rollback starts (Django). Django's `deserialize_db_from_string` saves
each object by itself, an UPDATE and then an INSERT a row, and checks every constraint after:
0.55 s a time, over a second for each of the suite's hundred-odd transactional tests.

`take` copies every table that holds rows once the session's set-up is done (`COPY … TO STDOUT`,
binary); `restore` empties those tables and copies them back in one transaction, with the
triggers off for it (`session_replication_role = replica`, as tests/fast_flush.py deletes): the
history and audit triggers do not record a put-back, and the foreign keys among the restored
tables need no order. What comes back is the session's rows exactly, ids included.
"""

from django.db import transaction
from django.db.backends.postgresql.creation import DatabaseCreation

_load_row_by_row = DatabaseCreation.deserialize_db_from_string


def take(connection) -> None:
    """Remember the rows of every table of the test database as they are now; Django's own
    serialized copy, made just before, is what `restore` stands in for."""
    quote = connection.ops.quote_name
    copies = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            cursor.execute(f"SELECT EXISTS (SELECT FROM {quote(table)})")
            if not cursor.fetchone()[0]:
                continue
            with cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT binary)") as copy:
                copies.append((table, b"".join(bytes(block) for block in copy)))
    connection._test_session_rows = (connection._test_serialized_contents, copies)


def restore(connection, copies: list[tuple[str, bytes]]) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, rows in copies:
            cursor.execute(f"DELETE FROM {quote(table)}")
            with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT binary)") as copy:
                copy.write(rows)


def _deserialize(self, data: str) -> None:
    session_rows = getattr(self.connection, "_test_session_rows", None)
    if session_rows is not None and data is session_rows[0]:
        restore(self.connection, session_rows[1])
    else:  # another copy than the session's (none in this suite): Django's own way
        _load_row_by_row(self, data)


def install() -> None:
    DatabaseCreation.deserialize_db_from_string = _deserialize
