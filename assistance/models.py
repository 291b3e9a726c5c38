"""Cases, their steps, partners, their offers and the measures they deliver.

A case is one household's path from proposal through identification (the statutory steps), the
months of assistance while enrolled, and risk elimination through the same kind of steps. Every
step is a row created when its phase starts, with its due date; acting on it fills in who, when,
what they decided and why. Everything here keeps its history (django-pghistory).
"""

from typing import TYPE_CHECKING, TypedDict

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assistance.eligibility_items import Item
from core.choices import ChoiceLabels
from households.models import MonitoringCategory, PovertyStatus

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class DecimalPlaces(TypedDict):
    """The precision of every money field, given to each as keyword arguments."""

    max_digits: int
    decimal_places: int


MONEY: DecimalPlaces = {"max_digits": 12, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(0)]


# The categories are the registry's (households.MonitoringCategory): the household keeps its own.
CaseCategory = MonitoringCategory


# Which households each category is for, by policy (中农组发〔2021〕7号):
# 脱贫不稳定户 are lifted-out households, 边缘易致贫户 ordinary rural households,
# 突发严重困难户 either.
CATEGORY_POVERTY_STATUSES: dict[str, frozenset[str]] = {
    CaseCategory.UNSTABLE: frozenset({PovertyStatus.LIFTED_OUT}),
    CaseCategory.MARGINAL: frozenset({PovertyStatus.ORDINARY}),
    CaseCategory.SUDDEN_HARDSHIP: frozenset({PovertyStatus.LIFTED_OUT, PovertyStatus.ORDINARY}),
}
# The category a proposal starts from, by the household's poverty status.
CATEGORY_FOR_STATUS: dict[str, str] = {
    PovertyStatus.LIFTED_OUT: CaseCategory.UNSTABLE,
    PovertyStatus.ORDINARY: CaseCategory.MARGINAL,
}


class RiskType(models.TextChoices):
    ILLNESS = "illness", pgettext_lazy("risk type", "Illness")
    DISABILITY = "disability", pgettext_lazy("risk type", "Disability")
    SCHOOLING = "schooling", pgettext_lazy("risk type", "Schooling costs")
    DISASTER = "disaster", pgettext_lazy("risk type", "Natural disaster")
    ACCIDENT = "accident", pgettext_lazy("risk type", "Accident")
    FAILED_BUSINESS = (
        "failed_business",
        pgettext_lazy("risk type", "Failed farming or business project"),
    )
    UNSTABLE_WORK = "unstable_work", pgettext_lazy("risk type", "Unstable work")
    LABOUR_SHORTAGE = "labour_shortage", pgettext_lazy("risk type", "Shortage of labour")
    OTHER = "other", pgettext_lazy("risk type", "Other")


class CaseOrigin(models.TextChoices):
    ALERT = "alert", _("Confirmed risk warning")
    SELF_REPORT = "self_report", _("Self-report")
    CADRE = "cadre", _("Cadre's proposal")


class SocialAssistance(models.TextChoices):
    NONE = "none", _("None")
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Extreme-poverty support (tekun)")


class CaseStatus(models.TextChoices):
    IDENTIFYING = "identifying", _("Being identified")
    ENROLLED = "enrolled", _("Enrolled for monitoring")
    ELIMINATING = "eliminating", _("Risk elimination under way")
    ELIMINATED = "eliminated", _("Risk eliminated")
    REJECTED = "rejected", _("Not enrolled")


# A household has at most one case in one of these states.
OPEN_CASE_STATUSES = (CaseStatus.IDENTIFYING, CaseStatus.ENROLLED, CaseStatus.ELIMINATING)


# The village is a copy kept by the database, not history (as Alert.village): left out of the
# history rows, so that filling it in or a household moving writes no history of its own.
@pghistory.track(exclude=["village"])
class Case(ChoiceLabels, models.Model):
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("household"),
    )
    # The household's village, copied so that a region's cases and their waiting steps are read
    # from the cases alone rather than by looking up each one's household (a county's pending
    # steps would cost a household lookup each). The database keeps it, as it keeps
    # Alert.village: a trigger fills it on insert from the household, and one on
    # households_household (migration 0011) follows a household that moves village, whoever
    # moves it. No constraint of its own: the household's village is the checked one.
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
    origin = models.CharField(_("origin"), max_length=12, choices=CaseOrigin.choices)
    alert = models.OneToOneField(
        "monitoring.Alert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
        verbose_name=_("risk warning"),
    )
    category = models.CharField(_("category"), max_length=16, choices=CaseCategory.choices)
    risk_types = ArrayField(
        models.CharField(max_length=16, choices=RiskType.choices), verbose_name=_("risk types")
    )
    situation = models.TextField(_("situation"))
    # The 2026 policy: a household that is also a social-assistance case is identified and
    # followed on the same income account, so the case says which.
    social_assistance = models.CharField(
        _("also a social-assistance case"),
        max_length=8,
        choices=SocialAssistance.choices,
        default=SocialAssistance.NONE,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.IDENTIFYING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposed_cases",
        verbose_name=_("proposed by"),
    )
    proposed_on = models.DateField(_("proposed on"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_cases",
        verbose_name=_("responsible cadre"),
    )
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    eliminated_on = models.DateField(_("risk eliminated on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Each proposal of risk elimination is a round of steps; a refused round stays on record.
    elimination_round = models.PositiveSmallIntegerField(_("elimination round"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=["identifying", "enrolled", "eliminating"]),
                name="one_open_case_per_household",
            ),
        ]
        indexes = [
            # A region's cases by the copy of the village (a code prefix: varchar_pattern_ops).
            models.Index(fields=["village"], name="case_village", opclasses=["varchar_pattern_ops"])
        ]
        triggers = [
            pgtrigger.Trigger(
                name="case_village",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("household_id"),
                # FOR SHARE: a household moving village at the same moment either waits for
                # this insert (and its trigger then moves this case too) or is seen moved.
                func=(
                    "NEW.village_id := (SELECT village_id FROM households_household"
                    " WHERE id = NEW.household_id FOR SHARE); RETURN NEW;"
                ),
            ),
        ]
        permissions = [
            ("propose_case", _("Can propose a case")),
            ("record_village_step", _("Can record consent, deliberation, notice and verification")),
            ("check_case_information", _("Can record the information check")),
            ("review_case", _("Can review a case for the township")),
            ("approve_case", _("Can approve a case for the county")),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_status_display()}"

    OPEN_STATUSES = OPEN_CASE_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class CivilAffairsKind(models.TextChoices):
    """What a case asks of civil affairs (民政) for the household (the 2026 policy's joint
    identification): the two standing forms of social assistance, or one-off relief."""

    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Extreme-poverty support (tekun)")
    TEMPORARY_RELIEF = "temporary_relief", _("Temporary relief")


class CivilAffairsDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for civil affairs")
    APPROVED = "approved", _("Approved by civil affairs")
    REJECTED = "rejected", _("Not approved by civil affairs")


@pghistory.track()
class CivilAffairsReferral(models.Model):
    """A case's referral to civil affairs and civil affairs' decision on it, recorded by the
    cadre who received it: one account for both offices (docs/cases.md)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="civil_affairs", verbose_name=_("case")
    )
    kind = models.CharField(_("referred for"), max_length=16, choices=CivilAffairsKind.choices)
    referred_on = models.DateField(_("referred on"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    decision = models.CharField(
        _("decision of civil affairs"),
        max_length=8,
        choices=CivilAffairsDecision.choices,
        default=CivilAffairsDecision.PENDING,
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    # Dibao and tekun are paid monthly to the household; temporary relief once.
    amount = models.DecimalField(
        _("amount (yuan)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("A month's payment for dibao and tekun; the sum paid for temporary relief."),
        **MONEY,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision recorded by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("referral to civil affairs")
        verbose_name_plural = _("referrals to civil affairs")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending", decided_on__isnull=True)
                | (~Q(decision="pending") & Q(decided_on__isnull=False)),
                name="civil_affairs_decided_on_with_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.get_decision_display()}"


class Phase(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification")
    ELIMINATION = "elimination", _("Risk elimination")


class StepKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    CONSENT = "consent", _("Household's consent and authorisation")
    INFO_CHECK = "info_check", _("Information check")
    HOME_VERIFICATION = "home_verification", _("Home verification")
    DELIBERATION = "deliberation", _("Village deliberation")
    NOTICE = "notice", _("Village public notice")
    TOWNSHIP_REVIEW = "township_review", _("Township review")
    COUNTY_APPROVAL = "county_approval", _("County approval")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Passed")
    REJECTED = "rejected", _("Rejected")


# Each step's own words for its two outcomes: the household agrees (同意) to be identified, a
# deliberation passes (通过), a township review passes or not; "passed/rejected" is only what the
# database keeps.
STEP_DECISION_WORDS: dict[str, dict[str, "_StrPromise"]] = {
    StepKind.PROPOSAL: {
        Decision.APPROVED: pgettext_lazy("step decision", "Proposed"),
        Decision.REJECTED: pgettext_lazy("step decision", "Withdrawn"),
    },
    StepKind.CONSENT: {
        Decision.APPROVED: pgettext_lazy("step decision", "Agrees"),
        Decision.REJECTED: pgettext_lazy("step decision", "Does not agree"),
    },
    StepKind.INFO_CHECK: {
        Decision.APPROVED: pgettext_lazy("step decision", "Check passed"),
        Decision.REJECTED: pgettext_lazy("step decision", "Check failed"),
    },
    StepKind.HOME_VERIFICATION: {
        Decision.APPROVED: pgettext_lazy("step decision", "Verified"),
        Decision.REJECTED: pgettext_lazy("step decision", "Not verified"),
    },
    StepKind.DELIBERATION: {
        Decision.APPROVED: pgettext_lazy("step decision", "Passed"),
        Decision.REJECTED: pgettext_lazy("step decision", "Not passed"),
    },
    StepKind.NOTICE: {
        Decision.APPROVED: pgettext_lazy("step decision", "No objection upheld"),
        Decision.REJECTED: pgettext_lazy("step decision", "Objection upheld"),
    },
    StepKind.TOWNSHIP_REVIEW: {
        Decision.APPROVED: pgettext_lazy("step decision", "Review passed"),
        Decision.REJECTED: pgettext_lazy("step decision", "Review not passed"),
    },
    StepKind.COUNTY_APPROVAL: {
        Decision.APPROVED: pgettext_lazy("step decision", "Approved"),
        Decision.REJECTED: pgettext_lazy("step decision", "Not approved"),
    },
}


def step_decision_choices(kind: str) -> list[tuple[str, "_StrPromise"]]:
    """The decision's choices in the step's own words."""
    words = STEP_DECISION_WORDS[kind]
    return [
        (Decision.APPROVED, words[Decision.APPROVED]),
        (Decision.REJECTED, words[Decision.REJECTED]),
    ]


class InfoCheckResult(models.TextChoices):
    CONSISTENT = "consistent", _("Consistent with department data")
    CORRECTED = "corrected", _("Differences found and corrected")
    INCONSISTENT = "inconsistent", _("Inconsistent: does not qualify")


@pghistory.track()
class CaseStep(ChoiceLabels, models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps"
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    due_on = models.DateField(_("due"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_steps",
        verbose_name=_("by"),
    )
    decided_at = models.DateTimeField(_("at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    info_check_result = models.CharField(
        _("result of the check"), max_length=12, choices=InfoCheckResult.choices, blank=True
    )
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("objections until"), null=True, blank=True)
    notice_posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posted_notices",
        verbose_name=_("notice posted by"),
    )
    objections = models.TextField(_("objections received"), blank=True)
    # The limit the due date was counted by (assistance.deadlines): days after the proposal, in
    # working or calendar days, from which deadline profile. Empty on steps made before profiles.
    due_days = models.PositiveSmallIntegerField(_("limit (days)"), null=True, blank=True)
    due_unit = models.CharField(_("limit counted in"), max_length=8, blank=True, db_default="")
    due_profile = models.CharField(_("deadline profile"), max_length=100, blank=True, db_default="")
    # The delegation the actor took the step under, when the step is not their role's own.
    delegation = models.ForeignKey(
        "assistance.Delegation",
        null=True,
        blank=True,
        db_default=None,
        # Steps are looked up by case, never by delegation: no index on the large table.
        db_index=False,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("under delegation"),
    )
    # What the eligibility check said when elimination was proposed and when it was approved.
    eligibility = models.JSONField(_("eligibility check"), default=list, blank=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "phase", "round", "kind"], name="one_step_of_a_kind_per_round"
            ),
            models.CheckConstraint(
                condition=Q(notice_ends_on__isnull=True)
                | Q(notice_ends_on__gte=F("notice_starts_on")),
                name="notice_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(decision=""), name="pending_steps"),
            # The task list's case steps: a role's undecided steps by due date (the kinds it
            # takes), and a case's undecided steps in order (is a step the case's first?).
            # Both hold what the check reads, so that neither reads the steps' table.
            models.Index(
                fields=["kind", "due_on"],
                include=["case", "position", "phase", "round"],
                condition=Q(decision=""),
                name="pending_steps_by_kind",
            ),
            models.Index(
                fields=["case", "position"],
                include=["phase", "round"],
                condition=Q(decision=""),
                name="pending_steps_of_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def due_limit_label(self) -> str:
        """The limit the due date was counted by, as the step list shows it ("5个工作日内")."""
        if self.due_days is None or not self.due_unit:
            return ""
        if self.due_unit == DayUnit.WORKING:
            return _("within %(days)d working days") % {"days": self.due_days}
        return _("within %(days)d days") % {"days": self.due_days}

    @property
    def decision_label(self) -> str:
        """The decision in the step's own words ("同意", "评议通过"), empty while undecided."""
        if not self.decision:
            return ""
        return str(STEP_DECISION_WORDS[self.kind][self.decision])

    @property
    def eligibility_items(self) -> list[Item]:
        return [Item.from_json(row) for row in self.eligibility]


class PartnerKind(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    COOPERATIVE = "cooperative", _("Cooperative")
    VOLUNTEER_GROUP = "volunteer_group", _("Volunteer group")


class Department(models.TextChoices):
    RURAL_REVITALISATION = "rural_revitalisation", _("Agriculture and rural affairs")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    MEDICAL_SECURITY = "medical_security", _("Medical security")
    HEALTH = "health", _("Health commission")
    EDUCATION = "education", _("Education")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    HOUSING = "housing", _("Housing and construction")
    WATER = "water", _("Water resources")
    EMERGENCY = "emergency", _("Emergency management")
    DISABLED_PERSONS = "disabled_persons", _("Disabled persons' federation")
    FINANCE = "finance", _("Finance")
    OTHER = "other", _("Other department")


@pghistory.track()
class Partner(models.Model):
    """帮扶主体: anyone who delivers measures — a department, an enterprise, an organisation."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    department = models.CharField(
        _("department"), max_length=24, choices=Department.choices, blank=True
    )
    area = models.ForeignKey(
        "households.Region",
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("area served"),
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("what it does"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="one_partner_name_per_area"),
            models.CheckConstraint(
                condition=Q(kind="department", department__gt="")
                | (~Q(kind="department") & Q(department="")),
                name="department_named_only_for_departments",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeasureKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    EMPLOYMENT = "employment", _("Employment")
    HEALTH = "health", _("Health and medical insurance")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    WATER = "water", _("Drinking water")
    SOCIAL_SECURITY = "social_security", _("Social security (dibao, tekun, temporary relief)")
    MICRO_CREDIT = "micro_credit", _("Micro-credit")
    PUBLIC_POST = "public_post", _("Public-welfare post")
    CONSUMPTION = "consumption", _("Consumption support")
    SOCIAL_HELP = "social_help", _("Social help")
    MOTIVATION = "motivation", _("Motivation and skills")
    OTHER = "other", _("Other")


class OfferKind(models.TextChoices):
    JOBS = "jobs", _("Jobs")
    TRAINING = "training", _("Training seats")
    FUNDS = "funds", _("Funds")
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")


@pghistory.track()
class PolicyMeasure(models.Model):
    """A measure the policy offers for a risk type (the catalogue a case's suggestions come from),
    as data: the national entries, seeded from assistance.catalogue and kept as the policy wrote
    them, and each county's own, which extend them (a county's local subsidy, its own scheme)."""

    region = models.ForeignKey(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Empty for a national entry."),
    )
    risk_type = models.CharField(_("risk type"), max_length=16, choices=RiskType.choices)
    kind = models.CharField(_("kind of measure"), max_length=16, choices=MeasureKind.choices)
    # A national entry's title is the catalogue's own words, shown translated; a county's is its
    # own text.
    title = models.CharField(_("measure"), max_length=120)
    department = models.CharField(
        _("owning department"), max_length=24, choices=Department.choices, blank=True
    )
    typical_amount = models.DecimalField(
        _("typical amount (yuan)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    offer_kinds = ArrayField(
        models.CharField(max_length=16, choices=OfferKind.choices),
        default=list,
        blank=True,
        verbose_name=_("partner offers that can carry it"),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("policy measure")
        verbose_name_plural = _("policy measures")
        ordering = ["risk_type", "region_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "risk_type", "title"], name="one_policy_measure_per_title"
            ),
            models.UniqueConstraint(
                fields=["risk_type", "title"],
                condition=Q(region__isnull=True),
                name="one_national_policy_measure_per_title",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_risk_type_display()}: {self.title}"


@pghistory.track()
class PartnerOffer(models.Model):
    """What a partner can give: jobs, training seats, funds, goods or services, while they last."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="offers", verbose_name=_("partner")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OfferKind.choices)
    measure_kind = models.CharField(
        _("kind of measure"), max_length=16, choices=MeasureKind.choices
    )
    title = models.CharField(_("offer"), max_length=120)
    description = models.TextField(_("details"), blank=True)
    area = models.ForeignKey(
        "households.Region",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("area"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("available until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner offer")
        verbose_name_plural = _("partner offers")
        ordering = ["-available_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="offer_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="offer_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReferralStatus(models.TextChoices):
    """A measure given to a partner is a referral (转介) the partner answers."""

    NONE = "", _("No referral")
    PENDING = "pending", _("Waiting for the partner")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Not answered in time")


# A referral the partner declined or let expire goes back to the cadres: it needs another partner.
RETURNED_REFERRALS = (ReferralStatus.DECLINED, ReferralStatus.EXPIRED)


class DayUnit(models.TextChoices):
    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


@pghistory.track()
class ReferralPolicy(models.Model):
    """How long a partner has to answer a referral; a region may set its own, else the national
    row (region empty), else REFERRAL_DAYS calendar days. Counted in working days (the State
    Council's holidays and 调休, core/workdays.py) or in calendar days, as the deadline profiles'
    steps are: the answer is due at the same time of day on the last day of the limit."""

    region = models.OneToOneField(
        "households.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("region"),
    )
    days = models.PositiveSmallIntegerField(
        _("days to answer a referral"), default=3, validators=[MinValueValidator(1)]
    )
    # Rows made before the unit existed keep their calendar days (migration 0011); a new row
    # counts working days, as the provinces count their statutory limits.
    unit = models.CharField(
        _("counted in"),
        max_length=8,
        choices=DayUnit.choices,
        default=DayUnit.WORKING,
        db_default=DayUnit.WORKING,
    )
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1)

    class Meta:
        verbose_name = _("referral policy")
        verbose_name_plural = _("referral policies")
        constraints = [
            # One national row: the region's NULLs count as equal here.
            models.UniqueConstraint(
                fields=["region"], nulls_distinct=False, name="one_referral_policy_per_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '*'}: {self.days}"


REFERRAL_DAYS = 3  # calendar days, where no policy row says otherwise


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    STOPPED = "stopped", _("Stopped")


@pghistory.track()
class Measure(ChoiceLabels, models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="measures", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeasureKind.choices)
    title = models.CharField(_("measure"), max_length=120)
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("provided by"),
    )
    offer = models.ForeignKey(
        PartnerOffer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("from the offer"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="responsible_measures",
        verbose_name=_("responsible cadre"),
    )
    members = models.ManyToManyField(
        "households.Member", blank=True, related_name="measures", verbose_name=_("for members")
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    planned_amount = models.DecimalField(
        _("planned amount (yuan)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    delivered_amount = models.DecimalField(
        _("delivered amount (yuan)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    in_kind = models.CharField(_("in kind"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    result = models.TextField(_("result seen"), blank=True)
    # Loans, posts and schooling aid run on after the case ends, until their end date.
    continues_after_case = models.BooleanField(_("continues after the case ends"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    # The referral to the partner: answered by its users within the policy's days, else expired.
    referral_status = models.CharField(
        _("referral"),
        max_length=10,
        choices=ReferralStatus.choices,
        blank=True,
        default=ReferralStatus.NONE,
        db_default=ReferralStatus.NONE,
    )
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    referral_due = models.DateTimeField(_("answer due by"), null=True, blank=True)
    # Who answered is in the measure's history (the partner's user is the change's actor).
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=500, blank=True, default="", db_default=""
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        ordering = ["planned_start", "id"]
        permissions = [
            ("record_delivery", _("Can record the delivery of a measure")),
            ("answer_referral", _("Can accept or decline a referral")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=F("planned_start")),
                name="measure_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=False, actual_end__gte=F("actual_start")),
                name="measure_actual_end_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(planned_amount__isnull=True) | Q(planned_amount__gte=0))
                & (Q(delivered_amount__isnull=True) | Q(delivered_amount__gte=0)),
                name="measure_amounts_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "status"], name="measures_by_partner"),
            # Built concurrently by its own migration (0005), outside a transaction.
            models.Index(
                fields=["referral_due"],
                condition=Q(referral_status="pending"),
                name="pending_referrals",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_another_partner(self) -> bool:
        return self.referral_status in RETURNED_REFERRALS


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("Claimed, waiting for the cadre")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@pghistory.track()
class Need(models.Model):
    """需求清单: a household's unmet need, published for partners to claim (认领).

    Partners see the village and the need only: never the household, its number or its people.
    A claim becomes a measure of the case, referred to the claiming partner, once a cadre
    confirms it.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="needs", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeasureKind.choices)
    village = models.ForeignKey(
        "households.Region",
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("village"),
    )
    quantity = models.CharField(_("quantity"), max_length=60)
    needed_by = models.DateField(_("needed by"))
    description = models.CharField(_("what is needed"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    claimed_by = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_needs",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    measure = models.OneToOneField(
        Measure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="need",
        verbose_name=_("measure"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["needed_by", "id"]
        permissions = [("claim_need", _("Can claim a need for its partner"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "withdrawn"]) | Q(claimed_by__isnull=False),
                name="claimed_need_names_its_partner",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(measure__isnull=False),
                name="confirmed_need_has_its_measure",
            ),
        ]
        indexes = [models.Index(fields=["status", "needed_by"], name="needs_by_status")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.get_kind_display()}"


@pghistory.track()
class CalendarDay(models.Model):
    """A day the State Council's notice makes a holiday or a working day (调休), kept as data
    for the years the holiday package does not know yet, or to correct it. The rows are national
    (one calendar for every county); county officers may add a year once its notice is out."""

    day = models.DateField(_("day"), unique=True)
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


# Working days within which a household's own report is accepted where no profile says otherwise.
SELF_REPORT_ACCEPTANCE_DAYS = 3


@pghistory.track()
class DeadlineProfile(models.Model):
    """How long each step of a case may take, as a province (or a county overriding it) sets
    it: per phase and step, days after the proposal in working or calendar days. The row with
    no region is the national default. `limits` is
    {phase: {step kind: {"days": n, "unit": "working" | "calendar"}}}, checked by the service
    (assistance.services.deadlines) against the steps of assistance.steps."""

    name = models.CharField(_("name"), max_length=100)
    # A 12-digit region code (a province, a city or a county); empty for the national default.
    # A code, not a foreign key: a province's profile is kept even where its regions are not
    # loaded (the national data ships Gansu, Anhui and Hainan, one county loads one province).
    region_code = models.CharField(_("region code"), max_length=12, blank=True, unique=True)
    limits = models.JSONField(_("limits"), default=dict)
    notice_min_days = models.PositiveSmallIntegerField(
        _("shortest public notice (days)"), default=5
    )
    escalate_after_working_days = models.PositiveSmallIntegerField(
        _("tell the county after (working days overdue)"), default=3
    )
    # A household's own report (农户自主申报, self_reports/) is accepted (受理) by the village's
    # cadres within this many working days of its arrival.
    self_report_acceptance_days = models.PositiveSmallIntegerField(
        _("accept a household's own report within (working days)"),
        default=SELF_REPORT_ACCEPTANCE_DAYS,
        db_default=SELF_REPORT_ACCEPTANCE_DAYS,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deadline profile")
        verbose_name_plural = _("deadline profiles")
        ordering = ["region_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_min_days__gte=5),
                name="notice_runs_at_least_five_days",
                violation_error_message=_(
                    "The village public notice runs at least 5 days by national policy; a "
                    "profile may lengthen it, never shorten it."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NoticeStage(models.TextChoices):
    REMINDER = "reminder", _("Reminder before the due date")
    OVERDUE = "overdue", _("Overdue: township told")
    ESCALATED = "escalated", _("Still overdue: county told")


class StepNotice(models.Model):
    """One reminder or escalation of one step's due date, sent once: the sweep inserts this row
    first and sends only when the insert took (two sweeps at once: one inserts, the other finds
    the row and sends nothing)."""

    step = models.ForeignKey(
        CaseStep, verbose_name=_("case step"), on_delete=models.CASCADE, related_name="notices"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=NoticeStage.choices)
    due_on = models.DateField(_("due"))
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")
        ordering = ["-created_at"]
        constraints = [
            # A due date moved by a profile change is a new deadline, with its own notices.
            models.UniqueConstraint(
                fields=["step", "stage", "due_on"], name="one_notice_per_step_stage_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_id} {self.stage}"


# The step permissions a delegation may hand on (assistance/steps.py names the step of each).
# Proposing is every field role's own right and is not delegated.
DELEGABLE_PERMISSIONS = {
    "assistance.record_village_step": _(
        "Village steps (consent, deliberation, notice, home visit)"
    ),
    "assistance.check_case_information": _("Township information check"),
    "assistance.review_case": _("Township review"),
    "assistance.approve_case": _("County approval"),
}


@pghistory.track()
class Delegation(models.Model):
    """A role's steps in a village or a township, handed to a named user for a period.

    Taken over by a township cadre or a member of the village's resident work team (驻村工作队)
    when the village has nobody to take them; valid from `starts_on` to `ends_on`, both days
    included, unless revoked earlier. A step taken under it records it (CaseStep.delegation).
    """

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("delegated by"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_held",
        verbose_name=_("delegate"),
    )
    permission = models.CharField(
        _("steps"), max_length=60, choices=list(DELEGABLE_PERMISSIONS.items())
    )
    region = models.ForeignKey(
        "households.Region",
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("village or township"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegations_revoked",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="delegation_ends_after_it_starts"
            ),
        ]
        indexes = [
            models.Index(
                fields=["delegate", "permission", "ends_on"],
                condition=Q(revoked_at__isnull=True),
                name="delegations_in_force",
            )
        ]

    def __str__(self) -> str:
        # What a person reads in a case's history ("所依据的委托：— → …"), not the codes.
        return _("%(steps)s, handed to %(delegate)s in %(region)s from %(start)s to %(end)s") % {
            "steps": self.steps_label,
            "delegate": self.delegate.display_name,
            "region": self.region.name,
            "start": date_format(self.starts_on, "SHORT_DATE_FORMAT"),
            "end": date_format(self.ends_on, "SHORT_DATE_FORMAT"),
        }

    @property
    def steps_label(self) -> str:
        return str(DELEGABLE_PERMISSIONS.get(self.permission, self.permission))


@pghistory.track()
class CaseComment(models.Model):
    """A note in a case's conversation, written by someone who may see the case.

    Partners with a measure on the case read and write here too, so a note holds no ID number,
    phone or bank account (comment_post refuses long digit runs) and no health details.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_comments",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_comments_in_order")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.author_id}"


class CaseMention(models.Model):
    """A user named with `@` in a note: their notification, and their task until answered."""

    comment = models.ForeignKey(
        CaseComment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="mentions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentioned user"),
        on_delete=models.CASCADE,
        related_name="case_mentions",
    )
    # Set when the mentioned user writes in the thread after the mention.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_mention_per_note")
        ]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(answered_at__isnull=True), name="mentions_unanswered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} @{self.user_id}"


class RosterStatus(models.TextChoices):
    """A person's standing in civil affairs' (民政) roster, or in ours: the three layers of the one
    account that civil affairs decides."""

    TEKUN = "tekun", _("Extreme-poverty support (tekun)")
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    DIBAO_EDGE = "dibao_edge", _("Near the dibao line (dibao edge)")


class RosterSide(models.TextChoices):
    BOTH = "both", _("In both")
    THEIRS = "theirs", _("Only in civil affairs' roster")
    OURS = "ours", _("Only in ours")


class RosterOutcome(models.TextChoices):
    OPEN = "open", _("Not acted on yet")
    CASE_PROPOSED = "case_proposed", _("Case proposed")
    SIGNAL_RAISED = "signal_raised", _("Signal raised")
    NOTED = "noted", _("Reason noted")


@pghistory.track()
class CivilAffairsRoster(models.Model):
    """One import of civil affairs' roster of dibao, tekun and dibao-edge recipients for a region,
    reconciled with ours at the moment of the import; its figures stay as they were then."""

    region = models.ForeignKey(
        "households.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=120)
    rows = models.PositiveIntegerField(_("rows"))
    # Rows whose region code lies outside the region reconciled: left out, counted.
    outside_rows = models.PositiveIntegerField(_("rows outside the region"), default=0)
    in_both = models.PositiveIntegerField(_("in both"))
    mismatches = models.PositiveIntegerField(_("status mismatches"))
    only_theirs = models.PositiveIntegerField(_("only in civil affairs' roster"))
    only_ours = models.PositiveIntegerField(_("only in ours"))

    class Meta:
        verbose_name = _("civil affairs roster")
        verbose_name_plural = _("civil affairs rosters")
        indexes = [models.Index(fields=["region", "-id"], name="roster_region_recent")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.file_name}"


@pghistory.track()
class CivilAffairsRosterEntry(models.Model):
    """A line of a roster's reconciliation: a person in both lists, in theirs only or in ours
    only, and what was done about it. The ID number is kept as the registry keeps it: its keyed
    hash and its masked form, never in clear."""

    roster = models.ForeignKey(
        CivilAffairsRoster,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("roster"),
    )
    side = models.CharField(_("list"), max_length=8, choices=RosterSide.choices)
    row = models.PositiveIntegerField(_("row of the file"), null=True, blank=True)
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    their_status = models.CharField(
        _("status at civil affairs"), max_length=12, choices=RosterStatus.choices, blank=True
    )
    since = models.DateField(_("since"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    region_code = models.CharField(_("region code in the roster"), max_length=12, blank=True)
    our_status = models.CharField(
        _("status here"), max_length=12, choices=RosterStatus.choices, blank=True
    )
    mismatch = models.BooleanField(_("status mismatch"), default=False)
    member = models.ForeignKey(
        "households.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    outcome = models.CharField(
        _("action"), max_length=16, choices=RosterOutcome.choices, default=RosterOutcome.OPEN
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    signal = models.ForeignKey(
        "monitoring.Signal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signal"),
    )
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acted on by"),
    )
    acted_at = models.DateTimeField(_("acted on at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("line of a civil affairs roster")
        verbose_name_plural = _("lines of civil affairs rosters")
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "id_number_hash"], name="roster_entry_one_per_person"
            ),
        ]
        indexes = [models.Index(fields=["roster", "side", "id"], name="roster_entry_side")]

    def __str__(self) -> str:
        return f"{self.roster_id} {self.side} {self.id_number_masked}"
