"""Public-welfare posts (公益岗位) held by a household's member, and their monthly pay."""

import pghistory
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from assistance.models import MONEY


@pghistory.track()
class WelfarePost(models.Model):
    """A post (保洁员, 护林员, 孤寡老人看护…) a member holds for a period, usually a year."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="welfare_posts",
        verbose_name=_("household"),
    )
    member = models.ForeignKey(
        "households.Member",
        on_delete=models.PROTECT,
        related_name="welfare_posts",
        verbose_name=_("member"),
    )
    title = models.CharField(_("post"), max_length=100)
    employer = models.CharField(_("employing department or village"), max_length=100)
    monthly_pay = models.DecimalField(
        _("monthly pay (yuan)"), validators=[MinValueValidator(0)], **MONEY
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    renewed = models.BooleanField(_("renewed beyond a year"), default=False)
    # The end was seen to (the post ended, or will not be renewed): its task leaves the list.
    end_confirmed_on = models.DateField(_("end confirmed on"), null=True, blank=True)
    measure = models.ForeignKey(
        "assistance.Measure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="welfare_posts",
        verbose_name=_("assistance measure"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("public-welfare post")
        verbose_name_plural = _("public-welfare posts")
        ordering = ["ends_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="welfare_post_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_on}–{self.ends_on}"


@pghistory.track()
class PostPayment(models.Model):
    """What a post paid for one month."""

    post = models.ForeignKey(
        WelfarePost, on_delete=models.PROTECT, related_name="payments", verbose_name=_("post")
    )
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(0)], **MONEY)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("post payment")
        verbose_name_plural = _("post payments")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["post", "month"], name="one_post_payment_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="post_payment_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.month:%Y-%m}"
