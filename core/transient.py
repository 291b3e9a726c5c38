"""The database errors a task tries again after.

A lost connection, a deadlock, a lock or a statement that timed out: psycopg raises them all as
OperationalError, and another try may not meet them. Every task retries on these and on nothing
else; a service that judges work apart when it fails (monitoring.scans) lets them through to
that retry."""

from django.db import InterfaceError, OperationalError

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
