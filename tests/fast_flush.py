"""The flush that ends every transactional test, as DELETEs instead of one TRUNCATE.

Django empties the test database after each test with committed rows (`committed_db`, a live
server) by TRUNCATE of every table: 137 tables and their indexes, each given new files, 0.44 s
however few rows they hold. A DELETE of each table, with the triggers off for the transaction
(`session_replication_role = replica`: the foreign keys' checks, history and the audit tables'
refusal), empties the same tables in 0.005 s, and takes row locks only, where TRUNCATE's
exclusive locks waited on any connection a worker still had open. A flush asked to reset the
sequences keeps Django's own SQL.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncating_flush = DatabaseOperations.sql_flush


def _deleting_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or not tables:
        return _truncating_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    delete = style.SQL_KEYWORD("DELETE FROM")
    # SET LOCAL: execute_sql_flush runs these statements in one transaction.
    return [
        "SET LOCAL session_replication_role = replica",
        *(f"{delete} {style.SQL_FIELD(self.quote_name(table))}" for table in tables),
    ]


def install() -> None:
    DatabaseOperations.sql_flush = _deleting_flush
