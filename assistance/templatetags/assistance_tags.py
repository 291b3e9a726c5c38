from django import template

from assistance.models import RiskType, StepKind

register = template.Library()


@register.filter
def step_label(kind: str | None) -> str:
    """The human name of a step kind stored as a code (annotations carry codes only)."""
    if not kind:
        return ""
    return StepKind(kind).label if kind in StepKind.values else kind


@register.filter
def risk_type_labels(codes: list[str]) -> list[str]:
    return [RiskType(code).label if code in RiskType.values else code for code in codes or ()]
