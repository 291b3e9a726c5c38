"""Reads of attached files, kept to what the viewer may see through the owners' own selectors."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from evidence.models import Evidence
from evidence.registry import OWNER_KINDS, OwnerKind, owner_kind

VIEW = "evidence.view_evidence"
ATTACH = "evidence.add_evidence"
VIEW_LOCATION = "evidence.view_location"


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Every file whose owner the user may see (a partner: its own measures' receipts)."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return Evidence.objects.none()
    condition = Q(pk__in=[])
    for key, kind in OWNER_KINDS.items():
        condition |= Q(owner_kind=key, owner_id__in=kind.visible(user).values("pk"))
    return Evidence.objects.filter(condition)


def evidence_get(*, user, pk) -> Evidence:
    try:
        return evidence_visible_to(user).select_related("household", "uploaded_by").get(pk=pk)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def evidence_of_owner(*, user, kind: str, owner_id: int) -> QuerySet[Evidence]:
    """The files of one record, oldest first; none if the user may not see the record."""
    owner = owner_kind(kind)
    if owner is None or not user.has_perm(VIEW):
        return Evidence.objects.none()
    if not owner.visible(user).filter(pk=owner_id).exists():
        return Evidence.objects.none()
    return Evidence.objects.filter(owner_kind=kind, owner_id=owner_id).select_related("uploaded_by")


def owner_visible(*, user, kind: OwnerKind, owner_id) -> Model | None:
    try:
        return kind.visible(user).filter(pk=owner_id).first()
    except (ValueError, TypeError):
        return None


def owner_attachable(*, user, kind: OwnerKind, owner_id) -> Model | None:
    """The record, if the user may attach a file to it."""
    if not user.has_perm(ATTACH):
        return None
    try:
        return kind.attachable(user).filter(pk=owner_id).first()
    except (ValueError, TypeError):
        return None


def may_attach(*, user, kind: str, owner_id) -> bool:
    owner = owner_kind(kind)
    return (
        owner is not None and owner_attachable(user=user, kind=owner, owner_id=owner_id) is not None
    )


def sees_location(user) -> bool:
    return user.has_perm(VIEW_LOCATION)
