"""The household development plan (一户一策): the household's own goals, what it commits to and
what the assistance commits in return, agreed with the household (its consent recorded) and
reviewed at least quarterly on a visit, each goal and commitment rated.

A plan is edited as one thing: its goals and commitments move the plan's version on, so two
people editing one plan cannot lose each other's changes (the second is told, EditConflict).
A household has at most one open plan (draft or agreed); a closed plan stays on record.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed with the household")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.AGREED)


class ConsentMethod(models.TextChoices):
    SIGNATURE = "signature", _("Signed the printed plan")
    THUMBPRINT = "thumbprint", _("Thumbprint on the printed plan")
    SPOKEN = "spoken", _("Agreed aloud before a witness")


class GoalArea(models.TextChoices):
    INCOME = "income", _("Income")
    WORK = "work", _("Work")
    SKILLS = "skills", _("Skills")
    SCHOOLING = "schooling", _("Schooling")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class Party(models.TextChoices):
    HOUSEHOLD = "household", _("The household")
    ASSISTANCE = "assistance", _("The assistance")


class CommitmentRating(models.TextChoices):
    KEPT = "kept", _("Kept")
    PARTLY = "partly", _("Partly kept")
    NOT_KEPT = "not_kept", _("Not kept")


class GoalRating(models.TextChoices):
    REACHED = "reached", _("Reached")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")


@pghistory.track()
class DevelopmentPlan(ChoiceLabels, models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="development_plans",
        verbose_name=_("household"),
    )
    case = models.ForeignKey(
        "assistance.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_plans",
        verbose_name=_("case"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    consent_member = models.ForeignKey(
        "households.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agreed by"),
    )
    consent_method = models.CharField(
        _("how the household agreed"), max_length=12, choices=ConsentMethod.choices, blank=True
    )
    consent_witness = models.CharField(_("witness"), max_length=50, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household development plan")
        verbose_name_plural = _("household development plans")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("agree_developmentplan", _("Can record a household's agreement to its plan")),
            ("close_developmentplan", _("Can close a household development plan")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=["draft", "agreed"]),
                name="one_open_plan_per_household",
            ),
            models.CheckConstraint(
                condition=~Q(status="agreed")
                | Q(agreed_on__isnull=False, consent_member__isnull=False) & ~Q(consent_method=""),
                name="agreed_plan_has_consent",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_review_due"], name="plan_review_due")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@pghistory.track()
class PlanGoal(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan, on_delete=models.PROTECT, related_name="goals", verbose_name=_("plan")
    )
    area = models.CharField(_("area"), max_length=10, choices=GoalArea.choices)
    description = models.CharField(_("goal, in the household's words"), max_length=300)
    target = models.CharField(_("measurable target"), max_length=120, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    member = models.ForeignKey(
        "households.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member it concerns"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


@pghistory.track()
class PlanCommitment(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("plan"),
    )
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("goal")
    )
    party = models.CharField(_("who commits"), max_length=10, choices=Party.choices)
    description = models.CharField(_("commitment"), max_length=300)
    member = models.ForeignKey(
        "households.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member who commits"),
    )
    measure = models.ForeignKey(
        "assistance.Measure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_commitments",
        verbose_name=_("assistance measure"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan commitment")
        verbose_name_plural = _("plan commitments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(party="household", measure__isnull=True)
                | Q(party="assistance", member__isnull=True),
                name="commitment_side_fields",
            ),
        ]

    def __str__(self) -> str:
        return self.description


@pghistory.track()
class PlanReview(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("plan")
    )
    visit = models.ForeignKey(
        "monitoring.Visit",
        on_delete=models.PROTECT,
        related_name="plan_reviews",
        verbose_name=_("visit"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_on = models.DateField(_("reviewed on"))
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-reviewed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "visit"], name="one_review_per_plan_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.reviewed_on}"


@pghistory.track()
class ReviewItem(models.Model):
    """The rating of one goal (reached / on track / behind) or one commitment (kept / partly /
    not) at a review, and why where it is not fully so."""

    review = models.ForeignKey(
        PlanReview, on_delete=models.CASCADE, related_name="items", verbose_name=_("review")
    )
    goal = models.ForeignKey(
        PlanGoal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_items",
        verbose_name=_("goal"),
    )
    commitment = models.ForeignKey(
        PlanCommitment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_items",
        verbose_name=_("commitment"),
    )
    rating = models.CharField(_("rating"), max_length=10)
    reason = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__isnull=True, commitment__isnull=False)
                | Q(goal__isnull=False, commitment__isnull=True),
                name="review_item_rates_one_thing",
            ),
            models.UniqueConstraint(fields=["review", "goal"], name="one_rating_per_review_goal"),
            models.UniqueConstraint(
                fields=["review", "commitment"], name="one_rating_per_review_commitment"
            ),
        ]

    def __str__(self) -> str:
        return self.rating

    def get_rating_display(self) -> str:
        choices = GoalRating if self.goal_id else CommitmentRating
        return str(dict(choices.choices).get(self.rating, self.rating))
