"""A file attached to a record: a signed consent, the minutes of a deliberation, a photo of the
posted notice, a verification photo, a receipt of a delivered measure, a visit's photo."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def stored_name(extension: str) -> str:
    """Where a file goes in the storage: a random name, never the client's (which may hold a
    household's name, or a path)."""
    today = timezone.localdate()
    return f"evidence/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    # The record it belongs to: a kind of evidence.registry.OWNER_KINDS and that record's id.
    owner_kind = models.CharField(_("attached to"), max_length=20)
    owner_id = models.PositiveBigIntegerField(_("record"))
    # The owner's household, kept on the row so that a file is placed in a region (the scope of
    # the lists and of the audit) without knowing the owner's model.
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    file = models.FileField(_("file"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Where the photo was taken, as the camera recorded it; removed from the stored image and
    # shown only to users with evidence.view_location (never to partners).
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]
        permissions = [("view_location", _("Can see where a photo was taken"))]
        indexes = [models.Index(fields=["owner_kind", "owner_id"], name="evidence_of_owner")]

    def __str__(self) -> str:
        return f"{self.owner_kind} {self.owner_id} #{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
