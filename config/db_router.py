"""The database router of a primary with a streaming read replica (installed by config/settings.py
only when DATABASE_REPLICA_URL is set).

Which read may go to the replica is decided in core/replica.py (`read_alias`: a marked read, not
pinned to the primary, not inside a transaction, not the sign-in's tables, with the lag guard);
every write and every migration is the primary's.
"""

from django.db import DEFAULT_DB_ALIAS

from core import replica


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return replica.read_alias(model)

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # One database seen twice: a row read on the replica relates to one written on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
