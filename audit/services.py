"""Writes of the audit trail: recording an export, and purging what is past its retention."""

import ipaddress
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import ExportEvent, ExportKind
from audit.triggers import audit_tables
from households.selectors import region_prefix_of

PURGE_BATCH = 5_000


def export_record(
    *,
    actor: User,
    address: str | None,
    filters: Mapping[str, list[str]],
    name: str,
    row_count: int,
    kind: str = ExportKind.SPREADSHEET,
    region_code: str | None = None,
    household_number: str = "",
) -> ExportEvent:
    """Record that `actor` took `row_count` rows of `name` out, with the page's filters (its
    query parameters, each name with its values). The address is the one sign-ins are recorded
    under (accounts.lockout.client_address: behind the trusted proxies, the address the nearest
    of them saw), so an export and its sign-in can be matched."""
    stored_filters = {
        _storable(key): [_storable(value) for value in values]
        if len(values) > 1
        else _storable(values[0])
        for key, values in filters.items()
        if values
    }
    return ExportEvent.objects.create(
        user=actor,
        kind=kind,
        name=name,
        filters=stored_filters,
        row_count=row_count,
        ip=_valid_address(address),
        region_code=(region_prefix_of(actor) or "") if region_code is None else region_code,
        household_number=household_number,
    )


def _valid_address(address: str | None) -> str | None:
    """A forwarded-for entry is text a proxy passed on; the column takes only an address."""
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _storable(text: str) -> str:
    """PostgreSQL's jsonb cannot hold a NUL character; the lists ignore one, so does the record."""
    return text.replace("\x00", "")


def retention_cutoff(now: datetime | None = None, days: int | None = None) -> datetime:
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def audit_trail_purge(*, now: datetime | None = None, days: int | None = None) -> dict[str, int]:
    """Delete the audit rows older than the retention; returns the count per table.

    Asked for fewer than the legal floor, the database refuses (the trigger of audit/triggers.py)
    and nothing is deleted: this function does not check it first, so the refusal is what the
    tests see. Batches keep each transaction, and its locks, short on a large table.
    """
    from pghistory.models import Context

    cutoff = retention_cutoff(now, days)
    purged: dict[str, int] = {}
    for model, column in audit_tables().items():
        purged[model._meta.db_table] = _purge(model, column, cutoff)
    # A context (who acted) outlives its last event by at most its request or task; a day more.
    purged[Context._meta.db_table] = _purge(Context, "updated_at", cutoff - timedelta(days=1))
    return purged


def _purge(model, column: str, cutoff: datetime) -> int:
    total = 0
    old = model._base_manager.filter(**{f"{column}__lt": cutoff}).order_by()
    while True:
        with transaction.atomic():
            batch = list(old.values_list("pk", flat=True)[:PURGE_BATCH])
            if not batch:
                return total
            deleted, _ = model._base_manager.filter(pk__in=batch).delete()
            total += deleted
