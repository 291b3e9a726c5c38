import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import regions, validators
from core.choices import ChoiceLabels

# Labour capacities that count a member as able to work (the rules' `labour_loss`, job matching).
LABOUR_ABLE = ("skilled", "ordinary", "weak")

# Years in which households were lifted out of poverty under the targeted poverty campaign.
FIRST_EXIT_YEAR, LAST_EXIT_YEAR = 2013, 2021


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Township")
        VILLAGE = "village", _("Village")

    code = models.CharField(
        _("statistical division code"),
        max_length=12,
        primary_key=True,
        validators=[RegexValidator(regions.CODE_PATTERN, _("A region code has 12 digits."))],
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            # Twelve ASCII digits, whatever wrote the row (a fixture, SQL, an import): the lists
            # read a scope as a range of codes, which holds only for these (core/scope.py).
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"), name="region_code_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def short_name(self) -> str:
        """水源村村民委员会 -> 水源村; 人民路社区居民委员会 -> 人民路社区: what people say."""
        name = self.name
        if name.endswith("村民委员会"):
            base = name.removesuffix("村民委员会")
            return base if base.endswith("村") else base + "村"
        return name.removesuffix("居民委员会").removesuffix("委员会")

    @property
    def prefix(self) -> str:
        return self.code[: regions.PREFIX_LENGTH[self.level]]


class PovertyStatus(models.TextChoices):
    LIFTED_OUT = "lifted_out", _("Lifted out of poverty")
    ORDINARY = "ordinary", _("Ordinary rural household")


class RiskLevel(models.TextChoices):
    NONE = "none", _("No risk")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class MonitoringCategory(models.TextChoices):
    """The three kinds of monitored household (中农组发〔2021〕7号); a case is of one of them."""

    UNSTABLE = "unstable", _("Unstable lifted-out household")
    MARGINAL = "marginal", _("Marginal household at risk of poverty")
    SUDDEN_HARDSHIP = "sudden_hardship", _("Household in sudden severe hardship")


class Layer(models.TextChoices):
    """The layer of the 2026 policy's one account (分层分类), from the most in need: each household
    is in the first whose test it meets (monitoring.engine.layers)."""

    TEKUN = "tekun", _("Extreme-poverty support (tekun)")
    DIBAO = "dibao", _("Dibao (receiving it, or income below its standard)")
    DIBAO_EDGE = "dibao_edge", _("Near the dibao line (dibao edge)")
    RIGID_SPENDING = "rigid_spending", _("Hardship from rigid spending")
    MONITORED = "monitored", _("Monitored against return to poverty")
    NONE = "none", _("None of the layers")


# History records what people change. The cached facts below are kept by the system (the latest
# visit, the rules' verdict) and change with every evaluation: recording them would flood the
# history and slow every scan, and each has its own record (visits, alerts).
CACHED_HOUSEHOLD_FACTS = [
    "head_name",
    "member_count",
    "income_sharers",
    "risk_level",
    "risk_score",
    "per_capita_income",
    "last_visit_on",
    "next_visit_due",
    "risk_reasons",
    "evaluation_pending_since",
    "recheck_on",
    "is_monitored",
    "monitored_category",
    "has_open_case",
    "layer",
    "layer_reasons",
    "updated_at",
]


@pghistory.track(exclude=CACHED_HOUSEHOLD_FACTS)
class Household(ChoiceLabels, models.Model):
    number = models.CharField(
        _("household number"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^\d{12,20}$", _("A household number is 12 to 20 digits."))],
    )
    # No index of its own: household_village_number and household_risk begin with the village
    # (one village, a range of codes), household_village_visit_due with its text pattern (a code
    # prefix). Each index is written again by every change of the row (the scan's verdicts
    # change indexed columns, so no update is HOT): the two that Django adds to a foreign key
    # were an eighth of the county scan's household update, for no query they alone served.
    village = models.ForeignKey(
        Region,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": Region.Level.VILLAGE},
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=32, blank=True)
    poverty_status = models.CharField(
        _("poverty status"), max_length=12, choices=PovertyStatus.choices
    )
    poverty_exit_year = models.PositiveSmallIntegerField(
        _("year lifted out of poverty"),
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_EXIT_YEAR), MaxValueValidator(LAST_EXIT_YEAR)],
    )

    # Cached from the members, so that lists need no join.
    head_name = models.CharField(_("household head"), max_length=50, blank=True)
    member_count = models.PositiveSmallIntegerField(_("number of members"), default=0)
    # The active members who live here and share income and expenses (共同生活): the policy's
    # household, whose size divides the income into a per-capita figure. A member registered
    # here (户籍) who lives and keeps their money elsewhere is counted in `member_count` only.
    income_sharers = models.PositiveSmallIntegerField(
        _("members sharing income"), default=0, db_default=0
    )

    # Cached facts of the latest visit and evaluation, kept up to date by the monitoring services,
    # so that lists and dashboards sort and filter without reading the visit history.
    risk_level = models.CharField(
        _("risk level"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.NONE
    )
    risk_score = models.PositiveIntegerField(_("risk score"), default=0)
    per_capita_income = models.DecimalField(
        _("per-capita net income"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    # Every reason the rules found on the last evaluation, low ones included.
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True)
    # Set when a change needs the household judged again; cleared by the evaluation. A broker
    # that is down cannot lose the evaluation: the periodic sweep picks these up.
    evaluation_pending_since = models.DateTimeField(
        _("evaluation pending since"), null=True, blank=True
    )
    # The first day the passing of time alone could change the verdict (a visit falling overdue,
    # a shock leaving the 90-day window); the nightly scan judges households whose day has come.
    recheck_on = models.DateField(_("re-judge on"), null=True, blank=True)
    # An enrolled monitored household (监测对象): kept by the case workflow.
    is_monitored = models.BooleanField(_("monitored household"), default=False)
    # Its category while monitored, blank otherwise: kept with `is_monitored` by the case workflow,
    # so that the layer (below) can name it without monitoring reading cases.
    monitored_category = models.CharField(
        _("monitoring category"),
        max_length=16,
        choices=MonitoringCategory.choices,
        blank=True,
        default="",
        db_default="",
    )
    # The household's layer and the tests that put it there (each a code and its figures), kept by
    # the evaluation from the latest visit, the members' dibao and tekun and the region's standards.
    layer = models.CharField(
        _("layer"), max_length=16, choices=Layer.choices, default=Layer.NONE, db_default=Layer.NONE
    )
    layer_reasons = models.JSONField(_("layer reasons"), default=list, blank=True, db_default=[])
    # A case is open for the household (being identified, enrolled, or in risk elimination): kept
    # by the case services in the transaction that opens or closes it, so that monitoring, which
    # sits below assistance, knows without reading cases. The case has its own history. A
    # database default: the column is added without rewriting or relocking the table.
    has_open_case = models.BooleanField(_("open case"), default=False, db_default=False)
    # Set when a case ends in risk elimination: the household is then visited on its own cadence.
    risk_eliminated_on = models.DateField(_("risk eliminated on"), null=True, blank=True)

    # Optimistic locking: an edit names the version it started from; a stale one is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(poverty_status=PovertyStatus.ORDINARY, poverty_exit_year__isnull=True)
                | Q(poverty_status=PovertyStatus.LIFTED_OUT, poverty_exit_year__isnull=False),
                name="household_exit_year_matches_status",
            ),
        ]
        indexes = [
            # A village's or a township's list filtered by level and ordered by score.
            models.Index(fields=["village", "risk_level", "-risk_score"], name="household_risk"),
            # A level's households by score, county-wide (a low or none level's rows lie far down
            # household_score, below every scored household).
            models.Index(fields=["risk_level", "-risk_score", "id"], name="household_risk_score"),
            # Any region's households by score (a cadre's `ordering=-risk_score`): walked from
            # the top, the first page is the first rows of the region met (a township's first
            # 51 of 99,531 at 1,000,000 households: 0.7 ms, where reading and sorting them all
            # took 90 ms and two parallel workers).
            models.Index(fields=["-risk_score", "id"], name="household_score"),
            # Visits due in date order (the task list's page walks it, ties by id).
            models.Index(fields=["next_visit_due", "id"], name="household_next_visit"),
            # A township's visits due counted without reading the households themselves. Also the
            # one index that serves a region prefix (`village_id LIKE '620423100%'`, Scope.q):
            # the database's collation is not C, so the other indexes on the village do not.
            models.Index(
                fields=["village", "next_visit_due"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="household_village_visit_due",
            ),
            # The region check and the number and head of rows that hang from a household
            # (the task list's cases, steps, warnings, measures, pairings): a probe of this index
            # alone, not of the household's row.
            models.Index(
                fields=["id"],
                include=["village", "number", "head_name"],
                name="household_id_village",
            ),
            models.Index(fields=["recheck_on"], name="household_recheck"),
            # A region's households by number (households.selectors.NUMBER_ORDER): read in order
            # through the range of the region's village codes.
            models.Index(fields=["village", "number", "id"], name="household_village_number"),
            # A search by the number's last digits (households.selectors.number_search): a
            # prefix of the reversed number is a range of this index, where `LIKE '%0123'` would
            # read the whole register.
            models.Index(
                OpClass(Reverse("number"), name="text_pattern_ops"),
                name="household_number_reversed",
            ),
            # The households waiting for an evaluation, oldest request first, ties by id: the
            # order the sweep and a requested evaluation claim them in (FOR UPDATE SKIP LOCKED),
            # read from here rather than sorted whole for each part of a county's backlog.
            models.Index(
                fields=["evaluation_pending_since", "id"],
                condition=Q(evaluation_pending_since__isnull=False),
                name="household_pending_evaluation",
            ),
            # A region's households of one layer (the list's and the API's ?layer=): the few in
            # a layer, not the whole register; "none", most of it, is left out of the index.
            models.Index(
                fields=["layer", "village"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                condition=~Q(layer="none"),
                name="household_layer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    def clean(self) -> None:
        # Every door (page, API, import) ends in full_clean: one rule for all (validators.py).
        validators.clean_instance(
            self, text=("address",), phones=("phone",), accounts=("bank_account",)
        )


@pghistory.track()
class Member(ChoiceLabels, models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
        GRANDCHILD = "grandchild", _("Grandchild")
        PARENT = "parent", _("Parent")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Sibling")
        OTHER = "other", _("Other")

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("Healthy")
        CHRONIC = "chronic", _("Long-term chronic illness")
        SERIOUS = "serious", _("Serious illness")

    class Disability(models.TextChoices):
        NONE = "none", _("None")
        GRADE_1 = "grade_1", _("Grade 1")
        GRADE_2 = "grade_2", _("Grade 2")
        GRADE_3 = "grade_3", _("Grade 3")
        GRADE_4 = "grade_4", _("Grade 4")

    class Labour(models.TextChoices):
        SKILLED = "skilled", _("Skilled labour")
        ORDINARY = "ordinary", _("Ordinary labour")
        WEAK = "weak", _("Weak or partial labour")
        LOST = "lost", _("Lost labour capacity")
        NONE = "none", _("No labour capacity (child, student or elderly)")

    class Education(models.TextChoices):
        PRESCHOOL = "preschool", _("Pre-school age")
        ILLITERATE = "illiterate", _("Illiterate or semi-literate")
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior secondary")
        SENIOR = "senior", _("Senior secondary")
        VOCATIONAL = "vocational", _("Secondary vocational")
        COLLEGE = "college", _("College or above")

    class Schooling(models.TextChoices):
        NOT_IN_SCHOOL = "not_in_school", _("Not in school")
        PRESCHOOL = "preschool", _("Kindergarten")
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior secondary")
        SENIOR = "senior", _("Senior secondary")
        VOCATIONAL = "vocational", _("Vocational school")
        HIGHER = "higher", _("University or college")

    class Work(models.TextChoices):
        NONE = "none", _("Not working")
        FARMING = "farming", _("Farming at home")
        LOCAL = "local", _("Working in the county")
        IN_PROVINCE = "in_province", _("Working elsewhere in the province")
        OUT_OF_PROVINCE = "out_of_province", _("Working outside the province")
        SELF_EMPLOYED = "self_employed", _("Self-employed")
        PUBLIC_POST = "public_post", _("Public-welfare post")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Living in the household")
        MOVED_OUT = "moved_out", _("Moved out")
        DECEASED = "deceased", _("Deceased")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("full name"), max_length=50)
    # The number itself is stored only encrypted; the hash finds and de-duplicates people and the
    # masked form is what nearly every page shows.
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    # One person, one *active* membership (the constraint below): the rows a person leaves behind
    # when they move to another household or die keep the same hash, and their history.
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    relation = models.CharField(_("relation to head"), max_length=12, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    health = models.CharField(
        _("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY
    )
    disability = models.CharField(
        _("disability"), max_length=8, choices=Disability.choices, default=Disability.NONE
    )
    health_note = models.CharField(_("health details"), max_length=200, blank=True)
    labour = models.CharField(_("labour capacity"), max_length=10, choices=Labour.choices)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    schooling = models.CharField(
        _("schooling"),
        max_length=14,
        choices=Schooling.choices,
        default=Schooling.NOT_IN_SCHOOL,
    )
    work = models.CharField(_("work"), max_length=16, choices=Work.choices, default=Work.NONE)
    medical_insurance = models.BooleanField(_("basic medical insurance"), default=True)
    pension_insurance = models.BooleanField(_("basic pension insurance"), default=False)
    dibao = models.BooleanField(_("minimum living allowance (dibao)"), default=False)
    tekun = models.BooleanField(_("extreme-poverty support (tekun)"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # 户籍: the member's household registration is in this household.
    registered_here = models.BooleanField(
        _("household registration here (户籍)"), default=True, db_default=True
    )
    # 共同生活: the member lives here and shares income and expenses, so counts in the
    # per-capita income (the policy's household definition).
    lives_here = models.BooleanField(
        _("lives here and shares income (共同生活)"), default=True, db_default=True
    )

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # What is known of a member besides name and ID number: one list for forms, API and services.
    FACT_FIELDS = (
        "relation",
        "phone",
        "health",
        "disability",
        "health_note",
        "labour",
        "education",
        "schooling",
        "work",
        "medical_insurance",
        "pension_insurance",
        "dibao",
        "tekun",
        "status",
        "registered_here",
        "lives_here",
    )
    # Fields that only roles with the unmask permission may read in full. The birth date is the
    # part of the ID number its mask hides: shown beside the mask, it rebuilds the whole number.
    SENSITIVE_FIELDS = ("id_number", "birth_date", "phone", "health", "disability", "health_note")

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household_id", "id"]
        permissions = [
            ("unmask_sensitive", _("Can see full ID numbers, phones and health details")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head", status="active"),
                name="one_active_head_per_household",
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(status="active"),
                name="one_active_membership_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="member_name"),
            models.Index(fields=["id_number_hash"], name="member_id_number_hash"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validators.clean_instance(self, text=("name", "health_note"), phones=("phone",))


class LifeEvent(models.Model):
    """A change in a household's life, with the day it happened: a member registered, moved in or
    out, died, fell seriously ill, became disabled or lost the capacity to work; the head changed;
    the household split or merged. Recorded by the registry's services in the transaction that
    makes the change, shown in the household's timeline, and read by the early-warning rules as
    facts (a labourer's death is a loss of labour whether a visit or the registry reports it).

    A health or disability event names only its kind, never the diagnosis or grade: the timeline is
    read by roles that may not see members' health (`Member.SENSITIVE_FIELDS`).
    """

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered in the household")
        MOVED_IN = "moved_in", _("Moved in")
        MOVED_OUT = "moved_out", _("Moved out")
        DIED = "died", _("Died")
        SERIOUS_ILLNESS = "serious_illness", _("Fell seriously ill")
        DISABILITY = "disability", _("Became disabled, or the disability grade changed")
        LABOUR_LOST = "labour_lost", _("Lost labour capacity")
        HEALTH_RECOVERED = "health_recovered", _("Health or labour capacity recovered")
        HEAD_CHANGED = "head_changed", _("New head of household")
        RESIDENCE_CHANGED = "residence_changed", _("Household registration or co-residence changed")
        SPLIT_OFF = "split_off", _("Household split")
        MERGED = "merged", _("Households merged")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="life_events"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="life_events",
    )
    # The household a member came from or went to, that split off or merged in.
    other_household = models.ForeignKey(
        Household,
        verbose_name=_("other household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    # Whether the member could work before the change: a labourer's death or illness takes
    # labour from the household, a child's does not (the rules' `labour_loss`).
    member_had_labour = models.BooleanField(_("member could work"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["household", "-occurred_on"], name="life_event_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.occurred_on}"


class SensitiveAccess(models.Model):
    """One unmasking: who saw whose sensitive fields, when, and why (PIPL access record)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="sensitive_accesses",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="accesses"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="accesses"
    )
    fields = models.CharField(_("fields"), max_length=200)
    reason = models.CharField(_("reason"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10)  # "page" or "api"
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.member_id} {self.at:%Y-%m-%d %H:%M}"


class IdNumberLookup(models.Model):
    """One search of the whole registry by ID number: who asked, when, through which door and
    what they were told. A look-up says whether a person is in the registry at all, so each is
    recorded (as unmaskings are) and each user has an hourly allowance, and a daily one for the
    rows of registry imports (services). The number is kept only as its keyed hash, the one
    `Member.id_number_hash` holds, so an auditor can tell whose number was asked for while the
    record holds no number. Append-only (audit/triggers.py).
    """

    class Outcome(models.TextChoices):
        FOUND = "found", _("Found in the user's region")
        ELSEWHERE = "elsewhere", _("Registered outside the user's region")
        UNKNOWN = "unknown", _("Not registered")
        REFUSED = "refused", _("Refused: too many look-ups")

    class Channel(models.TextChoices):
        LOOKUP = "lookup", _("Look-up")
        CREATE = "create", _("New member")
        UPDATE = "update", _("Member edit")
        IMPORT = "import", _("Registry import")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The user's region when asking, so that the audit view shows it to that region's officers.
    region_code = models.CharField(_("region"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("ID number look-up")
        verbose_name_plural = _("ID number look-ups")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="id_lookup_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


# Module-level names for the choice sets the API schema names (drf-spectacular imports by path).
MemberStatus = Member.Status
