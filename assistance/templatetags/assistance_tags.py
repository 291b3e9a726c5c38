from typing import TYPE_CHECKING

from django import template

from assistance.models import RiskType, StepKind
from core.masking import mask_phone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.filter
def step_label(kind: str | None) -> "StrOrPromise":
    """The human name of a step kind stored as a code (annotations carry codes only)."""
    if not kind:
        return ""
    return StepKind(kind).label if kind in StepKind.values else kind


@register.filter
def masked_phone(phone: str) -> str:
    """A phone as lists show it (138****5678): a partner's contact may be a person's mobile."""
    return mask_phone(phone)


@register.filter
def risk_type_labels(codes: list[str]) -> list["StrOrPromise"]:
    return [RiskType(code).label if code in RiskType.values else code for code in codes or ()]
