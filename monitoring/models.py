from decimal import Decimal
from typing import TypedDict

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import Exact
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels
from households.models import RiskLevel
from monitoring.labels import RULE_CODES, RULE_LABELS


class DecimalPlaces(TypedDict):
    """The precision of every money field, given to each as keyword arguments."""

    max_digits: int
    decimal_places: int


MONEY: DecimalPlaces = {"max_digits": 12, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(0)]
# Production and business income is net of its costs: a failed crop, herd or shop makes it a loss
# (因产业项目失败 is a risk type of its own), entered as a negative number. Bounded so that a slip
# of the finger cannot sink a household's figures beyond any real loss.
LOWEST_BUSINESS_INCOME = Decimal("-10000000")
BUSINESS_INCOME_HELP = _(
    "Takings less costs. A loss (a failed crop, herd or business) is entered as a negative "
    "number, such as -3000, and lowers the household's total and per-capita income."
)


class CadenceKind(models.TextChoices):
    MONITORED = "monitored", _("Monitored household")
    ELIMINATED = "eliminated", _("Risk eliminated, still followed")
    LIFTED_OUT = "lifted_out", _("Lifted out of poverty")
    ORDINARY = "ordinary", _("Ordinary rural household")


@pghistory.track()
class VisitCadence(models.Model):
    """How often a kind of household is visited; a county may set its own (region), else default."""

    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region"),
    )
    kind = models.CharField(_("kind of household"), max_length=12, choices=CadenceKind.choices)
    days = models.PositiveSmallIntegerField(
        _("visit every (days)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("visit cadence")
        verbose_name_plural = _("visit cadences")
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="one_cadence_per_region_kind"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(region__isnull=True),
                name="one_default_cadence_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.days}"


@pghistory.track()
class IncomeLine(models.Model):
    """The monitoring income line of a year; a household uses that of its nearest region."""

    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region"),
        help_text=_("Empty for the national floor."),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2020)])
    amount = models.DecimalField(
        _("line (yuan per person per year)"), validators=NON_NEGATIVE, **MONEY
    )
    is_demo = models.BooleanField(_("demo value"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("income line")
        verbose_name_plural = _("income lines")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_line_per_region_year"),
            models.UniqueConstraint(
                fields=["year"], condition=Q(region__isnull=True), name="one_national_line_per_year"
            ),
        ]

    def __str__(self) -> str:
        region = self.region or _("national")
        return f"{self.year} {region}: {self.amount}"


@pghistory.track()
class AssistanceStandard(models.Model):
    """The social-assistance standards of a year beside the income line (the 2026 policy's one
    account): the rural dibao standard, the tekun support standard, and the dibao-edge line as a
    multiple of dibao. A household uses those of its nearest region, as with the income line."""

    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region"),
        help_text=_("Empty for the national floor."),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2020)])
    dibao = models.DecimalField(
        _("rural dibao standard (yuan per person per year)"), validators=NON_NEGATIVE, **MONEY
    )
    # The tekun layer goes by the members' status, not by income: this is for the record and the
    # reports (a province publishes both standards together).
    tekun = models.DecimalField(
        _("tekun support standard (yuan per person per year)"),
        validators=NON_NEGATIVE,
        help_text=_("For reference: the tekun layer goes by the members' tekun status."),
        **MONEY,
    )
    # Most provinces draw the dibao-edge line at 1.5 times the dibao standard, some at 2.
    edge_multiple = models.DecimalField(
        _("dibao-edge line (times the dibao standard)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    is_demo = models.BooleanField(_("demo value"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("assistance standard")
        verbose_name_plural = _("assistance standards")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_standard_per_region_year"),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(region__isnull=True),
                name="one_national_standard_per_year",
            ),
        ]

    def __str__(self) -> str:
        region = self.region or _("national")
        return f"{self.year} {region}"

    @property
    def edge_line(self) -> Decimal:
        return (self.dibao * self.edge_multiple).quantize(Decimal("0.01"))


@pghistory.track()
class RuleConfig(models.Model):
    """A county's (or the default) thresholds, weight and severity of one rule."""

    code = models.CharField(
        _("rule"), max_length=32, choices=[(code, RULE_LABELS[code]) for code in RULE_CODES]
    )
    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(
        _("severity"),
        max_length=6,
        choices=[("low", _("Low")), ("medium", _("Medium")), ("high", _("High"))],
    )
    weight = models.PositiveSmallIntegerField(_("weight"))
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        ordering = ["code", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "region"], name="one_rule_config_per_region"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="one_default_rule_config"
            ),
        ]

    def __str__(self) -> str:
        region = self.region or _("default")
        return f"{self.get_code_display()} ({region})"


def _capacity_weight(label):
    return models.PositiveSmallIntegerField(label, validators=[MaxValueValidator(100)])


@pghistory.track()
class CapacityWeights(models.Model):
    """The weights of the self-development capacity's components (自我发展能力), whole numbers
    summing to exactly 100: the national default (no region, seeded by a migration) or a
    county's own, looked up by region as the rule settings are (monitoring.engine.capacity)."""

    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region"),
        help_text=_("Empty for the national default."),
    )
    labour = _capacity_weight(_("labour and health"))
    skills = _capacity_weight(_("skills and education"))
    work = _capacity_weight(_("stable work"))
    participation = _capacity_weight(_("training and enterprise links"))
    commitments = _capacity_weight(_("commitments kept"))
    credit = _capacity_weight(_("access to credit"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("capacity weights")
        verbose_name_plural = _("capacity weights")
        ordering = ["region_id"]
        constraints = [
            # One row a region, and one national default (a null region counted as one).
            models.UniqueConstraint(
                Coalesce("region", Value("")), name="one_capacity_weights_per_region"
            ),
            models.CheckConstraint(
                condition=Exact(
                    F("labour")
                    + F("skills")
                    + F("work")
                    + F("participation")
                    + F("commitments")
                    + F("credit"),
                    100,
                ),
                name="capacity_weights_sum_to_100",
                violation_error_message=_("The weights must add up to exactly 100."),
            ),
        ]

    def __str__(self) -> str:
        region = self.region or _("national")
        return f"{self._meta.verbose_name} ({region})"

    @property
    def total(self) -> int:
        return sum(getattr(self, code) for code in CAPACITY_COMPONENTS)


# The component codes, in the engine's order (a test keeps them equal to
# monitoring.engine.capacity.COMPONENTS): the weights' field names.
CAPACITY_COMPONENTS = ("labour", "skills", "work", "participation", "commitments", "credit")


class CapacityReading(models.Model):
    """One measure of a household's self-development capacity on a day: its score and every
    component as the engine gave it (value, weight, share, points, reason), and the weights used.
    Written by the gatherer only (development.capacity), never edited: a new day, a new row."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="capacity_readings",
        verbose_name=_("household"),
    )
    measured_on = models.DateField(_("measured on"))
    score = models.PositiveSmallIntegerField(_("capacity score"))
    working_age = models.PositiveSmallIntegerField(_("members of working age"), default=0)
    components = models.JSONField(_("components"), default=list)
    weights = models.ForeignKey(
        CapacityWeights,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("weights"),
    )
    weights_version = models.PositiveIntegerField(_("weights version"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("capacity reading")
        verbose_name_plural = _("capacity readings")
        ordering = ["household_id", "-measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "measured_on"], name="one_capacity_reading_a_day"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="capacity_score_at_most_100"),
        ]
        indexes = [
            models.Index("household", models.F("measured_on").desc(), name="capacity_latest"),
            models.Index(fields=["measured_on"], name="capacity_by_day"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.measured_on}: {self.score}"


# Named so that the history models do not clash with our own VisitEvent and AlertEvent.
@pghistory.track(
    model_name="VisitHistory", obj_field=pghistory.ObjForeignKey(related_name="history")
)
class Visit(models.Model):
    """One monitoring visit: what a village worker found in one household on one day."""

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("household"),
    )
    visited_on = models.DateField(_("visit date"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("visitor"),
    )
    # Made by the phone before sending: a visit sent twice is the same visit, not a second one.
    client_uuid = models.UUIDField(_("client id"), unique=True)

    wage_income = models.DecimalField(_("wage income"), validators=NON_NEGATIVE, **MONEY)
    business_income = models.DecimalField(
        _("production and business net income"),
        validators=[MinValueValidator(LOWEST_BUSINESS_INCOME)],
        help_text=BUSINESS_INCOME_HELP,
        **MONEY,
    )
    property_income = models.DecimalField(_("property income"), validators=NON_NEGATIVE, **MONEY)
    transfer_income = models.DecimalField(_("transfer income"), validators=NON_NEGATIVE, **MONEY)
    medical_spending = models.DecimalField(
        _("out-of-pocket medical spending"), validators=NON_NEGATIVE, **MONEY
    )
    education_spending = models.DecimalField(
        _("out-of-pocket education spending"), validators=NON_NEGATIVE, **MONEY
    )
    disaster_loss = models.DecimalField(_("disaster losses"), validators=NON_NEGATIVE, **MONEY)
    household_size = models.PositiveSmallIntegerField(
        _("household size"), validators=[MinValueValidator(1)]
    )

    food_clothing_ok = models.BooleanField(_("enough food and clothing"))
    compulsory_education_ok = models.BooleanField(_("compulsory education ensured"))
    basic_medical_ok = models.BooleanField(_("basic medical care ensured"))
    safe_housing_ok = models.BooleanField(_("safe housing"))
    safe_water_ok = models.BooleanField(_("safe drinking water"))
    notes = models.TextField(_("notes"), blank=True)

    # Derived at save time, so that lists and the scan read numbers rather than recompute them.
    total_net_income = models.DecimalField(_("household net income"), **MONEY)
    per_capita_income = models.DecimalField(_("per-capita net income"), **MONEY)
    rigid_spending = models.DecimalField(_("rigid spending"), **MONEY)

    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["household", "-visited_on", "-id"], name="visit_latest"),
            models.Index(fields=["visitor", "-visited_on"], name="visit_by_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"

    @property
    def failed_checks(self) -> list[str]:
        return [
            name
            for name, ok in [
                ("food_clothing", self.food_clothing_ok),
                ("compulsory_education", self.compulsory_education_ok),
                ("basic_medical", self.basic_medical_ok),
                ("safe_housing", self.safe_housing_ok),
                ("safe_water", self.safe_water_ok),
            ]
            if not ok
        ]


class EventKind(models.TextChoices):
    ILLNESS = "illness", _("Serious illness")
    DISABILITY = "disability", _("Disability")
    DISASTER = "disaster", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    BUSINESS_FAILURE = "business_failure", _("Business or farming failure")
    JOB_LOSS = "job_loss", _("Job loss")
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


@pghistory.track(model_name="VisitEventHistory")
class VisitEvent(models.Model):
    """Something that happened since the last visit, and whom it concerns."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    member = models.ForeignKey(
        "households.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_events",
        verbose_name=_("member concerned"),
    )
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["occurred_on"], name="event_occurred")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class SignalSource(models.TextChoices):
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance bureau")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs bureau")
    EDUCATION = "education", _("Education bureau")
    DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation")
    EMERGENCY = "emergency", _("Emergency management bureau")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security bureau")
    PUBLIC_SECURITY = "public_security", _("Public security bureau")
    # The county's micro-credit ledger (livelihoods/services/credit.py): raised on a bank's
    # behalf when an instalment is overdue.
    BANK = "bank", _("Lending bank (micro-credit)")
    OTHER = "other", _("Other department")


class SignalKind(models.TextChoices):
    LARGE_MEDICAL_EXPENSE = "large_medical_expense", _("Large medical expense")
    ASSISTANCE_GRANTED = "assistance_granted", _("Social assistance granted")
    ASSISTANCE_CANCELLED = "assistance_cancelled", _("Social assistance cancelled")
    SCHOOL_DROPOUT = "school_dropout", _("School dropout")
    DISABILITY_CERTIFIED = "disability_certified", _("Disability certified")
    DISASTER_AREA = "disaster_area", _("Disaster area")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    DEATH = "death", _("Death")
    # Area kinds (规模性返贫 risk): a whole area hit at once, screened household by household.
    MIGRANT_WORK_DROP = "migrant_work_drop", _("Drop in migrant work")
    PRICE_COLLAPSE = "price_collapse", _("Price collapse of a local product")
    LOAN_OVERDUE = "loan_overdue", _("Micro-credit instalment overdue")


AREA_KINDS = {SignalKind.DISASTER_AREA, SignalKind.MIGRANT_WORK_DROP, SignalKind.PRICE_COLLAPSE}


@pghistory.track(model_name="SignalHistory")
class Signal(models.Model):
    """A warning pushed by a department's system about a person or an area."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("Waiting for review")
        RESOLVED = "resolved", _("Resolved")

    class DismissReason(models.TextChoices):
        """Why a reviewer closed a signal without a household: what its sender reads back, so
        a choice rather than the reviewer's own words (the note stays in the region)."""

        NOT_HERE = "not_here", _("Nobody of this number lives in the region")
        MOVED_AWAY = "moved_away", _("The person moved away")
        WRONG_NUMBER = "wrong_number", _("The ID number is wrong")
        DUPLICATE = "duplicate", _("Already known from another signal")
        NO_RISK = "no_risk", _("Checked: no risk of poverty")
        OTHER = "other", _("Other reason")

    source = models.CharField(_("source"), max_length=24, choices=SignalSource.choices)
    external_id = models.CharField(_("external id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=24, choices=SignalKind.choices)
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    member = models.ForeignKey(
        "households.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signals",
    )
    household = models.ForeignKey(
        "households.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signals",
        verbose_name=_("household"),
    )
    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signals",
        verbose_name=_("area"),
    )
    occurred_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # What the reviewer wrote on settling a signal waiting for review (services.signal_resolve).
    resolution = models.CharField(
        _("resolution"), max_length=500, blank=True, default="", db_default=""
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dismiss_reason = models.CharField(
        _("reason for closing"),
        max_length=16,
        choices=DismissReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    # When a reviewer settled a signal waiting for review (services.signal_resolve); who did is
    # in its history (the change is made under the reviewer's history context).
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("department signal")
        verbose_name_plural = _("department signals")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="signal_once_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["household", "-occurred_on"], name="signal_household"),
            models.Index(fields=["status", "-received_at"], name="signal_status"),
        ]

    def __str__(self) -> str:
        # What a person reads in a history ("逾期信号 — → …"): who sent what, of which day; the
        # sending system's own reference (`external_id`) is on the signal's page.
        return _("%(source)s: %(kind)s of %(day)s") % {
            "source": self.get_source_display(),
            "kind": self.get_kind_display(),
            "day": date_format(self.occurred_on, "SHORT_DATE_FORMAT"),
        }


class SignalOutcome(models.TextChoices):
    """What became of a signal, as its sender reads it back: only what people did with it.

    Never whether the machine matched a number (a sender trying candidate numbers would read
    which one is registered): a person signal stays `received` until a reviewer closes it or a
    warning it fed was checked by a cadre (selectors.signals_with_outcome).
    """

    RECEIVED = "received", _("Received, not acted on yet")
    CLOSED = "closed", _("Closed by a reviewer")
    CHECKED = "checked", _("Checked by a cadre")
    ENROLLED = "enrolled", _("Became a case under assistance")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    VERIFYING = "verifying", _("Verifying")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    RESOLVED = "resolved", _("Resolved")
    CASE = "case", _("Became a case")


# An alert in one of these states is the household's one active alert.
ACTIVE_STATUSES = (
    AlertStatus.OPEN,
    AlertStatus.ASSIGNED,
    AlertStatus.VERIFYING,
    AlertStatus.CONFIRMED,
)


class AlertSource(models.TextChoices):
    RULES = "rules", _("Rule warning")
    SELF_REPORT = "self_report", _("Self-report")
    CADRE = "cadre", _("Cadre screening")
    DEPARTMENT = "department", _("Department warning")


# The village is a copy kept by the database, not history: left out of the history rows, so
# that filling it in (or a household moving) writes no history of its own.
@pghistory.track(
    model_name="AlertHistory",
    obj_field=pghistory.ObjForeignKey(related_name="history"),
    exclude=["village"],
)
class Alert(ChoiceLabels, models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("household"),
    )
    # The household's village, copied so that a region's queue is read from the warnings alone
    # (a township's few thousand) rather than by joining every household of the township. The
    # database keeps it: a trigger fills it on insert from the household, and one on
    # households_household (migration 0004) follows a household that moves village, so that a
    # bulk insert, a raw SQL load or an update() elsewhere cannot leave it behind. No
    # constraint of its own: the household's village is the checked one.
    village = models.ForeignKey(
        "households.Region",
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("village"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    source = models.CharField(_("source"), max_length=12, choices=AlertSource.choices)
    level = models.CharField(_("level"), max_length=6, choices=RiskLevel.choices)
    score = models.PositiveIntegerField(_("score"), default=0)
    # Every reason that fires, with its evidence: [{"code", "severity", "weight", "evidence"}].
    reasons = models.JSONField(_("reasons"), default=list)
    reason_codes = models.JSONField(_("reasons"), default=list)  # for filtering by reason
    # A self-report stays a reason until a cadre handles it; the rules cannot make it go away.
    self_report = models.TextField(_("self-report"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alerts",
        verbose_name=_("assigned to"),
    )
    opened_at = models.DateTimeField(_("opened"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_note = models.CharField(_("reason for closing"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("risk warning")
        verbose_name_plural = _("risk warnings")
        ordering = ["-score", "opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=["open", "assigned", "verifying", "confirmed"]),
                name="one_active_alert_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-score", "opened_at"], name="alert_queue"),
            # A region's active warnings by village prefix (LIKE '620423100%'), for the queue,
            # its count and the API; pattern ops so that the prefix match uses it in any
            # collation. Created concurrently by migration 0004.
            models.Index(
                fields=["village"],
                name="alert_active_village",
                opclasses=["varchar_pattern_ops"],
                condition=Q(status__in=["open", "assigned", "verifying", "confirmed"]),
            ),
            # The ids of a township's active warnings, read from the index alone, for the API
            # list ordered by id (selectors.alerts_of_area). Created concurrently by 0025.
            models.Index(
                fields=["village", "id"],
                name="alert_active_village_id",
                opclasses=["varchar_pattern_ops", "int8_ops"],
                condition=Q(status__in=["open", "assigned", "verifying", "confirmed"]),
            ),
            # The queue's order over the active warnings alone: a township's first page is the
            # first 50 of a walk in this order (0.7 ms at 1,000,000 households), not a sort of
            # its 15,000 active warnings (21 ms). `alert_queue` leads with the status, which an
            # IN of four statuses cannot walk in score order. Created concurrently by 0027.
            models.Index(
                fields=["-score", "opened_at", "id"],
                name="alert_active_order",
                condition=Q(status__in=["open", "assigned", "verifying", "confirmed"]),
            ),
            # The warnings nobody took yet, with all the task list reads of them (worklist's
            # alert_assign): a township's count and its first page read this index alone, not
            # the heap rows of every active warning of the township (15,578 open of 16,599 at
            # 1,000,000 households; counts and page 25 ms, then 11). Created concurrently by 0028.
            models.Index(
                fields=["village", "opened_at", "id"],
                name="alert_open_village",
                opclasses=["varchar_pattern_ops", "timestamptz_ops", "int8_ops"],
                include=["household", "level"],
                condition=Q(status="open"),
            ),
            # The same warnings by the day they opened (the county's day: TruncDate in
            # TIME_ZONE): a township's first page of them in due order is a walk of this index
            # until fifty of its villages' are found, not a sort of all 15,578 (13 ms at
            # 1,000,000 households). worklist.kinds.WALK. Created concurrently by 0029.
            models.Index(
                TruncDate("opened_at"),
                "id",
                name="alert_open_by_day",
                include=["village", "household", "level"],
                condition=Q(status="open"),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="alert_village",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("household_id"),
                # FOR SHARE: a household moving village at the same moment either waits for
                # this insert (and its trigger then moves this warning too) or is seen moved.
                func=(
                    "NEW.village_id := (SELECT village_id FROM households_household"
                    " WHERE id = NEW.household_id FOR SHARE); RETURN NEW;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_level_display()} {self.get_status_display()}"


class VerificationResult(models.TextChoices):
    TRUE = "true", _("True")
    PARTLY = "partly", _("Partly true")
    FALSE = "false", _("Not true")


class AlertVerification(models.Model):
    """A home verification of a warning (入户核查): what the verifier found. One row each time a
    warning is verified; the rows are never changed (the warning's timeline records each), so the
    verification's history is its rows. Its photos are evidence of kind "alert" on the warning."""

    alert = models.ForeignKey(
        Alert, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="verifications"
    )
    result = models.CharField(_("result"), max_length=8, choices=VerificationResult.choices)
    findings = models.TextField(_("what was found"), max_length=2000, blank=True)
    visit = models.ForeignKey(
        "monitoring.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified on"), auto_now_add=True)

    class Meta:
        verbose_name = _("home verification")
        verbose_name_plural = _("home verifications")
        ordering = ["-verified_at", "-id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.get_result_display()}"


@pghistory.track(model_name="AlertEventHistory")
class AlertEvent(models.Model):
    """The alert's timeline: what happened to it, when, and by whom."""

    alert = models.ForeignKey(
        Alert, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="timeline"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16)
    note = models.CharField(_("note"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("warning handling record")
        verbose_name_plural = _("warning handling records")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"


class ScanRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        INCOME_LINE = "income_line", _("Income line changed")
        RULE = "rule", _("Rule changed")
        MANUAL = "manual", _("Started by hand")
        SIGNAL = "signal", _("Area-wide department signal")
        CADENCE = "cadence", _("Visit cadence changed")
        STANDARD = "standard", _("Assistance standard changed")

    scope = models.CharField(_("region prefix"), max_length=12, blank=True)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    as_of = models.DateField(_("as of"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    chunks_total = models.PositiveIntegerField(_("chunks in all"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    households_judged = models.PositiveIntegerField(_("households judged"), default=0)
    alerts_opened = models.PositiveIntegerField(_("alerts opened"), default=0)
    alerts_updated = models.PositiveIntegerField(_("alerts updated"), default=0)
    alerts_resolved = models.PositiveIntegerField(_("alerts resolved"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("scan run")
        verbose_name_plural = _("scan runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M}"


class EvaluationFailure(models.Model):
    """A household whose evaluation failed for a reason another try would meet again (facts no
    rule foresaw: a bug to fix), and until when the others' evaluations leave it out.

    Taken along by every visit's evaluation, which claims the oldest requests first, it made each
    of them judge its batch apart down to it; left out until `retry_after` (5 minutes, doubled at
    each failure up to an hour), it costs one try an hour. The household is kept waiting for an
    evaluation, so the sweep tries it when the wait is over; its own visit's evaluation and the
    scans try it at any time. The row goes with the evaluation that judges the household
    (monitoring.engine.evaluation, in the statement that writes its verdict)."""

    household = models.OneToOneField(
        "households.Household",
        verbose_name=_("household"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The exception's class and the place in our code it was raised, never its message, which may
    # carry a value of the household's (monitoring.evaluation_failures.described).
    error = models.CharField(_("error"), max_length=200)
    failures = models.PositiveIntegerField(_("failures"), default=1)
    first_failed_at = models.DateTimeField(_("first failed"))
    last_failed_at = models.DateTimeField(_("last failed"))
    retry_after = models.DateTimeField(_("tried again after"))

    class Meta:
        verbose_name = _("failing evaluation")
        verbose_name_plural = _("failing evaluations")

    def __str__(self) -> str:
        return f"{self.household_id} {self.error}"


class EmailState(models.TextChoices):
    """Where a notification's e-mail is (empty: none is sent, the user has no address)."""

    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class Notification(models.Model):
    """An in-app message for one user (an alert assigned to them, an area-wide signal …).

    A notification made by `monitoring.services.notifications.notify` keeps its message key and
    arguments, and is rendered in the reader's language when shown (`rendered`); `text` holds
    its rendering in the default language for the rows made the old way (text and link only)
    and for readers that know no key. `dedupe_key` makes "sent once" a fact of the database: a
    user has at most one notification per non-empty key. `channels_pending` is set by `notify`
    and cleared by the one delivery that claims it (e-mail, webhooks), so a notification queued
    twice is still sent once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=200, blank=True)
    message_key = models.CharField(
        _("message"), max_length=60, blank=True, default="", db_default=""
    )
    arguments = models.JSONField(_("message details"), default=dict, db_default={}, blank=True)
    dedupe_key = models.CharField(
        _("sent-once key"), max_length=200, blank=True, default="", db_default=""
    )
    channels_pending = models.BooleanField(
        _("channels still to send"), default=False, db_default=False
    )
    # Its e-mail (monitoring.services.notifications.notification_email_send): queued by the
    # delivery, claimed by one attempt at a time, sent once; SMTP errors retried with backoff,
    # a failure recorded here when the retries are spent.
    email_state = models.CharField(
        _("e-mail state"),
        max_length=8,
        choices=EmailState.choices,
        blank=True,
        default="",
        db_default="",
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0, db_default=0)
    email_error = models.CharField(
        _("e-mail error"), max_length=300, blank=True, default="", db_default=""
    )
    email_updated_at = models.DateTimeField(_("e-mail updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(
                fields=["email_updated_at"],
                condition=Q(email_state="queued"),
                name="notification_email_queued",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(channels_pending=True),
                name="notification_channels_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_sent_once",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def rendered(self) -> str:
        """The message in the active language; the stored text when the key is unknown."""
        from monitoring.messages import render_message

        return render_message(self.message_key, self.arguments) or self.text

    @property
    def rendered_html(self) -> str:
        """rendered, as HTML with its data (names, numbers) marked (tests/page_language.py)."""
        from django.utils.html import conditional_escape

        from monitoring.messages import render_message

        return render_message(self.message_key, self.arguments, marked=True) or conditional_escape(
            self.text
        )


class Webhook(models.Model):
    """A county's outbound channel: every notification of a user of the county is POSTed here,
    signed, for the county's bridge to 政务微信, 钉钉 or SMS."""

    region = models.ForeignKey(
        "households.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Stored as given: the HMAC needs it in the clear. Never shown back in full (`masked_secret`).
    secret = models.CharField(_("signing secret"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    # Message keys sent here; empty: every kind.
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_secret(self) -> str:
        return "***" + self.secret[-4:] if len(self.secret) > 8 else "***"


class WebhookDelivery(models.Model):
    """One notification sent to one webhook: its attempts, and the delivery log's row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt may start. An attempt under way has pushed it past its own timeout,
    # so a worker that died mid-request leaves a delivery the sweep takes up again.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "notification"], name="webhook_delivery_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.webhook} #{self.notification_id}"


# Module-level names for the choice sets the API schema names (drf-spectacular imports by path).
SignalStatus = Signal.Status
SignalDismissReason = Signal.DismissReason
ScanRunStatus = ScanRun.Status
WebhookDeliveryStatus = WebhookDelivery.Status


class AreaEventStatus(models.TextChoices):
    ACTIVE = "active", _("Under screening")
    CLOSED = "closed", _("Screening ended")


class ScreeningStatus(models.TextChoices):
    PENDING = "pending", _("Not yet screened")
    AFFECTED = "affected", _("Affected")
    NOT_AFFECTED = "not_affected", _("Not affected")


@pghistory.track(
    model_name="AreaEventHistory",
    obj_field=pghistory.ObjForeignKey(related_name="history"),
    # A listing's lease, taken and renewed by the worker: no change of the event's.
    exclude=["listing_since"],
)
class AreaEvent(models.Model):
    """An area hit at once (规模性返贫 risk): every household of the area is screened, and only
    those the screening finds affected carry the area's high reason (services/area_events.py)."""

    region = models.ForeignKey(
        "households.Region",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="area_events",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=SignalKind.choices)
    # The department signal that opened it; none when a cadre opened it by hand.
    signal = models.ForeignKey(
        Signal,
        verbose_name=_("signal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signal_count = models.PositiveIntegerField(_("signals"), default=0)
    occurred_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=8, choices=AreaEventStatus.choices, default=AreaEventStatus.ACTIVE
    )
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closure_note = models.CharField(_("closure note"), max_length=500, blank=True, default="")
    # The screening list (a ranked task for each household of the area) is built by a worker
    # (services/area_events.py area_event_list): an area may hold a county's households, more
    # than a request may rank. Requested when the event is opened or joined by a signal, and
    # cleared by the listing that saw that request; `listed_at` is when the first list was done.
    listing_requested_at = models.DateTimeField(_("listing requested at"), null=True, blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    # Since when a worker has been making the list (its lease, renewed by each batch it writes):
    # one listing of an event at a time, across the transactions it writes in.
    listing_since = models.DateTimeField(_("listing since"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("area event")
        verbose_name_plural = _("area events")
        ordering = ["status", "-opened_at", "-id"]
        constraints = [
            # One active event per area and kind: a second signal joins it.
            models.UniqueConstraint(
                fields=["region", "kind"],
                condition=Q(status="active"),
                name="area_event_one_active",
            ),
        ]
        indexes = [models.Index(fields=["status", "-opened_at"], name="area_event_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.region_id}"


@pghistory.track(
    model_name="ScreeningTaskHistory", obj_field=pghistory.ObjForeignKey(related_name="history")
)
class ScreeningTask(models.Model):
    """One household of an area event, ranked by vulnerability, to be screened by its village
    worker: affected or not."""

    # No index of their own: the unique (event, household) and (household, status) lead with
    # them, and a county's listing writes a million tasks, each paying every index.
    event = models.ForeignKey(
        AreaEvent,
        verbose_name=_("area event"),
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,
    )
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="screening_tasks",
        db_index=False,
    )
    rank = models.PositiveIntegerField(_("rank"))
    score = models.PositiveIntegerField(_("vulnerability score"), default=0)
    # Why it ranks where it does: [{"code": ..., "value": ...}] (monitoring/area_ranking.py).
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ScreeningStatus.choices,
        default=ScreeningStatus.PENDING,
    )
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("screening task")
        verbose_name_plural = _("screening tasks")
        ordering = ["event", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "household"], name="screening_once_per_household"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "rank"], name="screening_event_status"),
            models.Index(fields=["household", "status"], name="screening_household"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.household_id}"
