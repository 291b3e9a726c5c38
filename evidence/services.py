"""Writes of attached files: attaching one, and recording its download."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import ExportEvent, ExportKind
from audit.services import export_record
from evidence.content import CleanFile, clean_file, read_limited
from evidence.models import Evidence, stored_name
from evidence.registry import owner_kind
from evidence.selectors import owner_attachable, owner_visible

logger = logging.getLogger(__name__)


def evidence_clean(*, upload) -> CleanFile:
    """The checked, re-encoded file, or a ValidationError (type, size, empty, damaged). Forms
    call it while validating, so that a bad file refuses the whole form before anything is
    written."""
    if upload is None:
        raise ValidationError(_("Choose a file to attach."), code="required")
    return clean_file(read_limited(upload, settings.EVIDENCE_MAX_BYTES))


def evidence_attach(
    *,
    actor: User,
    owner_kind_key: str,
    owner_id: int,
    upload=None,
    cleaned: CleanFile | None = None,
    description: str = "",
) -> Evidence:
    """Attach a file to a record the actor may attach to. Nothing is written when the file or
    the record is refused, in the storage either: a row that fails to save takes its stored file
    with it."""
    kind = owner_kind(owner_kind_key)
    if kind is None:
        raise ValidationError({"owner_kind": _("Files cannot be attached to this kind of record.")})
    owner = owner_attachable(user=actor, kind=kind, owner_id=owner_id)
    if owner is None:
        if owner_visible(user=actor, kind=kind, owner_id=owner_id) is not None:
            raise PermissionDenied(_("You may not attach files to this record."))
        raise ValidationError({"owner_id": _("No such record in your region.")})
    clean = cleaned if cleaned is not None else evidence_clean(upload=upload)
    household = _household_of(owner, kind.household_path)
    evidence = Evidence(
        owner_kind=kind.key,
        owner_id=owner.pk,
        household=household,
        content_type=clean.content_type,
        size=len(clean.content),
        sha256=hashlib.sha256(clean.content).hexdigest(),
        description=description.strip(),
        latitude=clean.latitude,
        longitude=clean.longitude,
        uploaded_by=actor,
    )
    name = stored_name(clean.extension)
    evidence.file.save(name, ContentFile(clean.content), save=False)
    try:
        with transaction.atomic():
            evidence.save()
    except Exception:
        evidence.file.storage.delete(evidence.file.name or name)
        raise
    return evidence


def _household_of(owner, path: str):
    target = owner
    for part in path.split("__"):
        target = getattr(target, part)
    return target


def evidence_download_record(
    *, actor: User, evidence: Evidence, address: str | None
) -> ExportEvent:
    """Every download is recorded like an export (PIPL's record of who processed what): a
    signed consent or a receipt carries names, signatures and sometimes ID numbers."""
    return export_record(
        actor=actor,
        address=address,
        filters={
            "evidence": [str(evidence.pk)],
            "owner": [f"{evidence.owner_kind}:{evidence.owner_id}"],
        },
        name=f"evidence-{evidence.owner_kind}"[:40],
        row_count=1,
        kind=ExportKind.EVIDENCE,
        region_code=evidence.household.village_id,
        household_number=evidence.household.number,
    )
