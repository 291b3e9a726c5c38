"""A rule's thresholds as labelled fields and in words, instead of the JSON they are stored as
(RuleConfig.params): what a county officer reads and edits in the admin."""

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from monitoring.engine import rules
from monitoring.models import SignalKind
from monitoring.services.policy import MAX_DAYS, MAX_FACTOR

THRESHOLD_LABELS = {
    "factor": _("Close to the line: up to this multiple of the line"),
    "drop": _("Income drop that warns (0.30 is 30%)"),
    "share": _("Rigid spending that warns, as a share of income (0.5 is half)"),
    "days": _("Days an event or signal counts"),
    "grace_days": _("Days of grace after a visit falls due"),
    "below": _("Capacity score that warns: below this (0 to 100)"),
    "max_age_days": _("Days a capacity reading counts"),
}
SEVERITY_CHOICES = [
    (rules.LOW, _("Low")),
    (rules.MEDIUM, _("Medium")),
    (rules.HIGH, _("High")),
]
KIND_SEVERITY = "kind_severity"
# A form field per kind of department signal: "severity_<kind>".
SEVERITY_PREFIX = "severity_"


def _defaults() -> dict:
    """Every threshold any rule has, with its default (the first rule that has it)."""
    found: dict = {}
    for rule in rules.RULES:
        for name, default in rule.params.items():
            found.setdefault(name, default)
    return found


def threshold_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for name, default in _defaults().items():
        if name == KIND_SEVERITY:
            for kind in default:
                fields[f"{SEVERITY_PREFIX}{kind}"] = forms.ChoiceField(
                    label=format_lazy(
                        _("Severity of the signal “{kind}”"), kind=SignalKind(kind).label
                    ),
                    choices=[("", "—"), *SEVERITY_CHOICES],
                    required=False,
                )
        elif isinstance(default, int):
            fields[name] = forms.IntegerField(
                label=THRESHOLD_LABELS[name], min_value=0, max_value=MAX_DAYS, required=False
            )
        else:
            fields[name] = forms.DecimalField(
                label=THRESHOLD_LABELS[name],
                min_value=Decimal(0),
                max_value=MAX_FACTOR,
                decimal_places=2,
                required=False,
            )
    return fields


def field_names_of(code: str | None) -> list[str]:
    """The threshold fields of one rule, or of every rule while none is chosen yet."""
    chosen = [rules.RULES_BY_CODE[code]] if code in rules.RULES_BY_CODE else rules.RULES
    names: list[str] = []
    for rule in chosen:
        for name, default in rule.params.items():
            if name == KIND_SEVERITY:
                names += [f"{SEVERITY_PREFIX}{kind}" for kind in default]
            elif name not in names:
                names.append(name)
    return names


def initial_of(code: str, params: dict) -> dict:
    """The form's starting values: the stored thresholds, else the rule's defaults."""
    values = {**rules.RULES_BY_CODE[code].params, **(params or {})}
    initial: dict = {}
    for name, value in values.items():
        if name == KIND_SEVERITY:
            initial |= {f"{SEVERITY_PREFIX}{kind}": level for kind, level in value.items()}
        else:
            initial[name] = value
    return initial


def params_from(code: str, cleaned: dict) -> dict:
    """The stored thresholds of rule `code` from a form's cleaned data: a blank field keeps the
    rule's default (it is left out), and only the rule's own thresholds are kept."""
    params: dict = {}
    for name, default in rules.RULES_BY_CODE[code].params.items():
        if name == KIND_SEVERITY:
            levels = {
                kind: cleaned.get(f"{SEVERITY_PREFIX}{kind}")
                for kind in default
                if cleaned.get(f"{SEVERITY_PREFIX}{kind}")
            }
            if levels:
                params[name] = levels
        elif cleaned.get(name) is not None:
            value = cleaned[name]
            params[name] = int(value) if isinstance(default, int) else str(value)
    return params


def in_words(code: str, params: dict) -> str:
    """ "Days an event or signal counts: 90; …" for a list column."""
    parts = []
    for name, value in {**rules.RULES_BY_CODE[code].params, **(params or {})}.items():
        if name == KIND_SEVERITY:
            levels = dict(SEVERITY_CHOICES)
            parts += [
                f"{SignalKind(kind).label}: {levels.get(level, level)}"
                for kind, level in value.items()
            ]
        else:
            parts.append(f"{THRESHOLD_LABELS[name]}: {value}")
    return "；".join(str(part) for part in parts)
