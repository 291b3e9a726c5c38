"""Paired assistance (结对帮扶): each household's responsible cadre, and their contact log.

A pairing is open until the cadre hands the household over (or the pairing ends); its contacts
stay with it, so the next cadre reads the whole history. How many households a cadre may carry
and how often they must be in touch are data (PairingPolicy), set nationally or per region.
"""

import pghistory
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@pghistory.track()
class PairingPolicy(models.Model):
    """The limits of a region (or, without one, the national default); the nearest region wins."""

    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region"),
    )
    max_households = models.PositiveSmallIntegerField(
        _("households per cadre at most"), default=10, validators=[MinValueValidator(1)]
    )
    contact_every_days = models.PositiveSmallIntegerField(
        _("contact at least every (days)"), default=30, validators=[MinValueValidator(1)]
    )
    include_lifted_out = models.BooleanField(
        _("lifted-out households need a cadre too"), default=False
    )

    class Meta:
        verbose_name = _("pairing policy")
        verbose_name_plural = _("pairing policies")
        constraints = [
            models.UniqueConstraint(fields=["region"], name="one_pairing_policy_per_region"),
            models.UniqueConstraint(
                fields=["max_households"],
                condition=Q(region__isnull=True),
                name="one_default_pairing_policy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '—'}: {self.max_households} / {self.contact_every_days}"


class EndReason(models.TextChoices):
    HANDOVER = "handover", _("Handed over to another cadre")
    ROTATION = "rotation", _("Cadre rotated out")
    NO_LONGER_NEEDED = "no_longer_needed", _("Household no longer needs a cadre")
    OTHER = "other", _("Other")


@pghistory.track()
class Pairing(models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("household"),
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("responsible cadre"),
    )
    started_on = models.DateField(_("paired since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.CharField(_("note"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    # Optimistic locking of a household's handovers: a change to its current pairing (a
    # handover, an end) moves the version on, and a new pairing starts above every version the
    # household's pairings have had, so a handover decided on a household as it was refuses.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="one_open_pairing_per_household",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pairing_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["cadre", "ended_on"], name="pairing_cadre_open")]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.cadre_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class ContactKind(models.TextChoices):
    VISIT = "visit", _("Home visit")
    PHONE = "phone", _("Phone call")
    WECHAT = "wechat", _("WeChat")
    OTHER = "other", _("Other")


@pghistory.track()
class Contact(models.Model):
    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("pairing")
    )
    # Kept beside the pairing so that a household's log and a cadre's list need no join.
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="pairing_contacts",
        verbose_name=_("household"),
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pairing_contacts",
        verbose_name=_("cadre"),
    )
    kind = models.CharField(_("kind of contact"), max_length=10, choices=ContactKind.choices)
    contacted_on = models.DateField(_("contacted on"))
    summary = models.TextField(_("what was discussed"), max_length=2000)
    follow_ups = models.TextField(_("follow-ups"), max_length=2000, blank=True)
    # Made by the phone or the page when the form is shown: a contact sent again (a retry on a
    # weak network, a double tap) is recognised and recorded once.
    client_uuid = models.UUIDField(_("client id"), unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["household", "-contacted_on"], name="contact_household_date"),
            models.Index(fields=["pairing", "-contacted_on"], name="contact_pairing_date"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.contacted_on}"
