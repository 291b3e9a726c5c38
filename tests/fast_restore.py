"""Putting back the rows the test session loaded, by COPY instead of Django's row-by-row load.

A transactional test (committed rows, a live server) ends with a flush, and the rows the session
loaded (the regions, the permissions, the migrations' own rows: about 1,100) are put back twice
around it: after the flush (tests/conftest.py, for the ordinary tests that follow) and when the
next test with serialized rollback starts (Django). Django's `deserialize_db_from_string` saves
each object by itself, an UPDATE and then an INSERT a row, and checks every constraint after:
0.55 s a time, over a second for each of the suite's hundred-odd transactional tests.

`take` copies the rows of every table once the session's set-up is done (`COPY … TO STDOUT`,
binary, the columns named). `restore` runs the flush's statements (tests/fast_flush.py: every
table locked against writers and emptied) and copies the session's rows back, in one
transaction with the triggers off for it (`session_replication_role = replica`): the history and
audit triggers do not record a put-back, and the foreign keys among the restored tables need no
order. What comes back is the session's database exactly, ids included: a row a test left
behind is gone, where Django's load only writes over the rows it knows. A column added or
dropped since `take` fails the COPY.
"""

from django.core.management.color import no_style
from django.db import transaction
from django.db.backends.postgresql.creation import DatabaseCreation

_load_row_by_row = DatabaseCreation.deserialize_db_from_string

COLUMNS_SQL = """
SELECT attname FROM pg_attribute
WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
ORDER BY attnum
"""


def _tables(connection) -> list[str]:
    return sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )


def take(connection) -> None:
    """Remember every table's rows as they are now; Django's serialized copy, made just before,
    is what `restore` stands in for."""
    quote = connection.ops.quote_name
    tables, copies = _tables(connection), []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT FROM {quote(table)})")
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(COLUMNS_SQL, [quote(table)])
            columns = ", ".join(quote(name) for (name,) in cursor.fetchall())
            target = f"{quote(table)} ({columns})"
            with cursor.copy(f"COPY {target} TO STDOUT (FORMAT binary)") as copy:
                copies.append((target, b"".join(bytes(block) for block in copy)))
    connection._test_session_rows = (connection._test_serialized_contents, tables, copies)


def restore(connection, tables: list[str], copies: list[tuple[str, bytes]]) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # The flush's own statements (tests/fast_flush.py: triggers off, every table locked and
        # emptied), then the session's rows.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)
        for target, rows in copies:
            with cursor.copy(f"COPY {target} FROM STDIN (FORMAT binary)") as copy:
                copy.write(rows)
        # Called inside a test's own transaction, the setting would outlive this savepoint.
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _deserialize(self, data: str) -> None:
    session_rows = getattr(self.connection, "_test_session_rows", None)
    if session_rows is not None and data is session_rows[0]:
        restore(self.connection, session_rows[1], session_rows[2])
    else:  # another copy than the session's (none in this suite): Django's own way
        _load_row_by_row(self, data)


def install() -> None:
    DatabaseCreation.deserialize_db_from_string = _deserialize
