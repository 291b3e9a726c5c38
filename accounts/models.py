from typing import TYPE_CHECKING

import pghistory
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels

if TYPE_CHECKING:
    from django_otp.models import Device


class Role(models.TextChoices):
    VILLAGE_WORKER = "village_worker", _("Village worker")
    TOWNSHIP_CADRE = "township_cadre", _("Township cadre")
    COUNTY_OFFICER = "county_officer", _("County officer")
    PARTNER = "partner", _("Partner")
    AUDITOR = "auditor", _("Auditor")
    API_CLIENT = "api_client", _("API client")


# The people who visit, verify and look after households, nearest first.
FIELD_STAFF_ROLES = (Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER)


# Who may do what is audit data too: the role, region, partner and flags, never the password hash
# nor the last login (sign-ins have their own record, django-axes' AccessLog).
@pghistory.track(
    fields=[
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "region",
        "partner",
        "is_active",
        "is_staff",
        "is_superuser",
    ],
    model_name="UserHistory",
)
class User(ChoiceLabels, AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "households.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The user sees and changes only what lies in this region."),
    )
    # A partner user works for one partner and sees only the measures given to it.
    partner = models.ForeignKey(
        "assistance.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    if TYPE_CHECKING:
        # Set on the request's user by django-otp: its middleware (is_verified) and its login
        # receiver (otp_device, accounts/login_views.py).
        otp_device: Device | None

        def is_verified(self) -> bool: ...

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        """The name people read: the full name, else the username."""
        return self.get_full_name() or self.username


# Groups and direct permissions grant rights beside the role: their additions and removals.
pghistory.track(obj_field=None, model_name="UserGroupHistory")(User.groups.through)
pghistory.track(obj_field=None, model_name="UserPermissionHistory")(User.user_permissions.through)


class SavedFilter(models.Model):
    """A list's query (its filters, as the page's query string) saved by a user under a name, to
    pick again: only its owner sees it."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_filters"
    )
    # Which list it filters: "alerts" (the warning queue), later others.
    list_key = models.CharField(_("list"), max_length=32)
    name = models.CharField(_("name"), max_length=40)
    query = models.CharField(_("filters"), max_length=500)
    created_at = models.DateTimeField(_("saved on"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_key", "name"], name="saved_filter_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name
