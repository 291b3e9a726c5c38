"""The flush that ends every transactional test, as DELETEs instead of one TRUNCATE.

Django empties the test database after each test with committed rows (`committed_db`, a live
server) by TRUNCATE of every table: 137 tables and their indexes, each given new files, 0.44 s
however few rows they hold. Here the tables are locked against writers (EXCLUSIVE mode, as
TRUNCATE's lock would: a write still open, a worker's late task or a live server's last request,
is waited for, and none can slip in behind a DELETE already past its table), then each is
emptied by a DELETE with the triggers off for the transaction (`session_replication_role =
replica`: the foreign keys' checks, history and the audit tables' refusal): 0.013 s in all. A
flush asked to reset the sequences, or to cascade (a test with `available_apps`), keeps
Django's own SQL.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncating_flush = DatabaseOperations.sql_flush


def _deleting_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or allow_cascade or not tables:
        return _truncating_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    names = [style.SQL_FIELD(self.quote_name(table)) for table in tables]
    delete = style.SQL_KEYWORD("DELETE FROM")
    # SET LOCAL and the lock last to the end of the one transaction execute_sql_flush runs.
    return [
        "SET LOCAL session_replication_role = replica",
        f"{style.SQL_KEYWORD('LOCK TABLE')} {', '.join(names)} IN EXCLUSIVE MODE",
        *(f"{delete} {name}" for name in names),
    ]


def install() -> None:
    DatabaseOperations.sql_flush = _deleting_flush
