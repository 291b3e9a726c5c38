"""County officers' changes to income lines, visit cadences and rule settings; each change
re-scans its area."""

from decimal import Decimal
from typing import TypeVar

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import EditConflict, save_or_conflict
from core.regions import prefix_of
from households.models import Region
from households.selectors import user_covers
from monitoring.engine import rules
from monitoring.models import (
    AssistanceStandard,
    CadenceKind,
    IncomeLine,
    RuleConfig,
    ScanRun,
    VisitCadence,
)
from monitoring.scans import scan_start

YearlyRow = TypeVar("YearlyRow", IncomeLine, AssistanceStandard)

# Lines and settings are set by a county or above, never by a township or village.
SETTABLE_LEVELS = ("province", "city", "county")


def policy_region(actor: User, region_code: str | None) -> Region | None:
    """The region the actor may set policy for: their own or one under it, county or above;
    None (the national row) for a system administrator only. Every policy's service asks it
    (pairings' limits and assistance's referral days too)."""
    if region_code in (None, ""):
        if not actor.is_superuser:
            raise ValidationError(
                {"region": _("Only a system administrator sets national values.")}
            )
        return None
    region = Region.objects.filter(code=region_code).first()
    if region is None or region.level not in SETTABLE_LEVELS:
        raise ValidationError({"region": _("Choose a province, city or county.")})
    # A county officer sets their own county's values; a city officer, the city's and its counties'.
    if not user_covers(actor, region.code):
        raise ValidationError({"region": _("No such region in your area.")})
    return region


def _yearly_value_save(
    *,
    actor: User,
    model: type[YearlyRow],
    region_code: str | None,
    year: int,
    version: int | None,
    values: dict,
    trigger: str,
) -> YearlyRow:
    """Set a region's row of a year (an income line, the assistance standards) under its lock,
    with the version the actor saw, its history, and a re-scan of the region it changes."""
    with transaction.atomic(), pghistory.context(user=actor.pk):
        region = policy_region(actor, region_code)
        row = model.objects.select_for_update().filter(region=region, year=year).first()
        if row is None:
            row = model(region=region, year=year)
        elif version is not None and row.version != version:
            raise EditConflict()
        else:
            row.version += 1
        for name, value in values.items():
            setattr(row, name, value)
        row.is_demo = False
        row.full_clean(exclude=["region"], validate_unique=False)
        save_or_conflict(row)
        scan_start(trigger=trigger, scope=prefix_of(region.code) if region else "", actor=actor)
    return row


def income_line_save(
    *,
    actor: User,
    region_code: str | None,
    year: int,
    amount: Decimal,
    note: str = "",
    version: int | None = None,
) -> IncomeLine:
    if not actor.has_perm("monitoring.change_incomeline"):
        raise PermissionDenied(_("Your role may not do this."))
    if amount <= 0:
        raise ValidationError({"amount": _("A line must be more than zero.")})
    return _yearly_value_save(
        actor=actor,
        model=IncomeLine,
        region_code=region_code,
        year=year,
        version=version,
        values={"amount": amount, "note": note},
        trigger=ScanRun.Trigger.INCOME_LINE,
    )


# A standard beyond this (yuan per person per year) is a slip of the finger, not a county's.
MAX_STANDARD = Decimal(1_000_000)


def standard_save(
    *,
    actor: User,
    region_code: str | None,
    year: int,
    dibao: Decimal,
    tekun: Decimal,
    edge_multiple: Decimal = Decimal("1.50"),
    note: str = "",
    version: int | None = None,
) -> AssistanceStandard:
    """Set a region's dibao and tekun standards and dibao-edge multiple for a year; every
    household of the region is then judged again (its layer may move), as after a new line."""
    if not actor.has_perm("monitoring.change_assistancestandard"):
        raise PermissionDenied(_("Your role may not do this."))
    errors = {}
    for name, amount in (("dibao", dibao), ("tekun", tekun)):
        if not 0 < amount <= MAX_STANDARD:
            errors[name] = _("A standard must be more than zero and at most %(max)s yuan.") % {
                "max": f"{MAX_STANDARD:,}"
            }
    if not 1 <= edge_multiple <= 3:
        errors["edge_multiple"] = _("The dibao-edge line is 1 to 3 times the dibao standard.")
    if errors:
        raise ValidationError(errors)
    return _yearly_value_save(
        actor=actor,
        model=AssistanceStandard,
        region_code=region_code,
        year=year,
        version=version,
        values={"dibao": dibao, "tekun": tekun, "edge_multiple": edge_multiple, "note": note},
        trigger=ScanRun.Trigger.STANDARD,
    )


# Thresholds a rule can be given: a number of days up to ten years, a factor or share up to 100.
# Beyond them a rule's arithmetic leaves the calendar (as_of - 10**9 days) and every evaluation
# of the region would fail, not just this request.
MAX_DAYS = 3650
MAX_FACTOR = Decimal(100)


def _check_param(default, value):
    """The threshold `value` in the type of its default, or ValueError."""
    if isinstance(default, dict):
        # A severity per kind: known kinds only, each low, medium or high.
        if not isinstance(value, dict) or not set(value) <= set(default):
            raise ValueError
        if not all(isinstance(severity, str) for severity in value.values()):
            raise ValueError
        if not set(value.values()) <= set(rules.SEVERITY_RANK):
            raise ValueError
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        number = int(value)
        if not 0 <= number <= MAX_DAYS:
            raise ValueError
        return number
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    factor = Decimal(str(value))
    if not factor.is_finite() or not 0 <= factor <= MAX_FACTOR:
        raise ValueError
    return str(factor)


def check_params(code: str, params: dict) -> dict:
    defaults = rules.RULES_BY_CODE[code].params
    if not isinstance(params, dict):
        raise ValidationError({"params": _("Thresholds are given as an object of names.")})
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValidationError(
            {"params": _("Unknown thresholds: %(names)s.") % {"names": ", ".join(sorted(unknown))}}
        )
    cleaned = {}
    for name, value in params.items():
        try:
            cleaned[name] = _check_param(defaults[name], value)
        except (ValueError, ArithmeticError):
            raise ValidationError(
                {"params": _("The threshold %(name)s is not valid.") % {"name": name}}
            ) from None
    return cleaned


def rule_config_save(
    *,
    actor: User,
    code: str,
    region_code: str | None,
    enabled: bool,
    severity: str,
    weight: int,
    params: dict,
    version: int | None = None,
) -> RuleConfig:
    if not actor.has_perm("monitoring.change_ruleconfig"):
        raise PermissionDenied(_("Your role may not do this."))
    if code not in rules.RULES_BY_CODE:
        raise ValidationError({"code": _("No such rule.")})
    if severity not in rules.SEVERITY_RANK:
        raise ValidationError({"severity": _("Choose low, medium or high.")})
    cleaned = check_params(code, params or {})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        region = policy_region(actor, region_code)
        config = RuleConfig.objects.select_for_update().filter(code=code, region=region).first()
        if config is None:
            config = RuleConfig(code=code, region=region)
        elif version is not None and config.version != version:
            raise EditConflict()
        else:
            config.version += 1
        config.enabled, config.severity, config.weight, config.params = (
            enabled,
            severity,
            weight,
            cleaned,
        )
        save_or_conflict(config)
        scan_start(
            trigger=ScanRun.Trigger.RULE,
            scope=prefix_of(region.code) if region else "",
            actor=actor,
        )
    return config


def visit_cadence_save(
    *, actor: User, region_code: str | None, kind: str, days: int
) -> VisitCadence:
    """Set how often a kind of household of the region is visited. Every household's next visit
    due date follows from its cadence, so the region is scanned: the evaluation writes the new
    dates (the visit lists and overdue counts read them) as the rule `visit_overdue` sees them."""
    if not actor.has_perm("monitoring.change_visitcadence"):
        raise PermissionDenied(_("Your role may not do this."))
    if kind not in CadenceKind.values:
        raise ValidationError({"kind": _("Choose a kind of household.")})
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"days": _("A visit is due every 1 to %(max)d days.") % {"max": MAX_DAYS}}
        )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        region = policy_region(actor, region_code)
        cadence = VisitCadence.objects.select_for_update().filter(region=region, kind=kind).first()
        if cadence is None:
            cadence = VisitCadence(region=region, kind=kind)
        cadence.days = days
        save_or_conflict(cadence)
        scan_start(
            trigger=ScanRun.Trigger.CADENCE,
            scope=prefix_of(region.code) if region else "",
            actor=actor,
        )
    return cadence
