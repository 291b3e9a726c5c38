"""A household's own development: its plan (一户一策) and, beside it, its capacity.

One module a subject: development plans (`plans`)."""

from development.models.plans import (
    CommitmentRating,
    ConsentMethod,
    DevelopmentPlan,
    GoalArea,
    GoalRating,
    Party,
    PlanCommitment,
    PlanGoal,
    PlanReview,
    PlanStatus,
    ReviewItem,
)

__all__ = [
    "CommitmentRating",
    "ConsentMethod",
    "DevelopmentPlan",
    "GoalArea",
    "GoalRating",
    "Party",
    "PlanCommitment",
    "PlanGoal",
    "PlanReview",
    "PlanStatus",
    "ReviewItem",
]
