"""A household's self-development capacity (自我发展能力): a score of 0 to 100 made of components
that are each shown with their value, weight and reason, never a black box.

A pure function of what is gathered for one household (`CapacityInputs`) and the region's weights
(`CapacityWeights`, data like the rule settings). The gatherer (`development.capacity`) builds the
inputs for a chunk of households from the registry, the assistance measures and the work records;
the rule `weak_capacity` reads the latest reading it wrote.

The components, each a value from 0 to 1:

- labour: the working-age members able to work, a weak labourer counting half, a chronic or
  serious illness and a disability lowering each one's share;
- skills: the education of the working-age members (vocational schooling counts as senior
  secondary and above);
- work: the months worked in the last twelve by the working-age members who have work records,
  over twelve;
- participation: training received in the last twelve months (two trainings fill it half) and
  links to an enterprise or cooperative (联农带农, one fills the other half);
- commitments: the share of the development plan's commitments kept;
- credit: access to credit (see `CREDIT_VALUES`).

A component that is not known for a household (no work records, no plan, credit not recorded) is
"not recorded": it scores nothing and its weight is shared among the known components in
proportion to their weights, so an unknown is never a silent zero. A household with no member of
working age has labour 0 (nobody can work) and its skills and work are not recorded; its score is
low, and truly so, but the rule does not warn it: its help is social security, not development
(`monitoring.engine.rules.weak_capacity`).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

LABOUR, SKILLS, WORK, PARTICIPATION, COMMITMENTS, CREDIT = (
    "labour",
    "skills",
    "work",
    "participation",
    "commitments",
    "credit",
)
COMPONENTS = (LABOUR, SKILLS, WORK, PARTICIPATION, COMMITMENTS, CREDIT)
# The national default (a data migration seeds it): labour and stable work weigh most, as the
# policy's own measure of a household's ability to keep its income is its labour and its work.
DEFAULT_WEIGHTS = {
    LABOUR: 25,
    SKILLS: 15,
    WORK: 25,
    PARTICIPATION: 15,
    COMMITMENTS: 10,
    CREDIT: 10,
}
WEIGHTS_TOTAL = 100

# Working age as the statistics count a labour force: 16 to 59 years, not in full-time school.
WORKING_AGE_FROM, WORKING_AGE_TO = 16, 59
# Labour as the registry grades it (弱劳动力, 丧失劳动力), which the cadre sets from the member's
# health and disability. Health and disability themselves are not read: every role sees them
# withheld until unmasked with a reason, and a component shown on the household page and in the
# API that they lowered would tell every reader who is ill (found in review, issue 20).
LABOUR_SHARE = {"skilled": Fraction(1), "ordinary": Fraction(1), "weak": Fraction(1, 2)}
EDUCATION_VALUE = {
    "preschool": Fraction(0),
    "illiterate": Fraction(0),
    "primary": Fraction(1, 4),
    "junior": Fraction(1, 2),
    "senior": Fraction(3, 4),
    "vocational": Fraction(1),
    "college": Fraction(1),
}
TRAININGS_FULL = 2
# Credit: a loan repaid on time shows both access and discipline (1); a loan overdue is a burden
# and a closed door (0). No loan at all is the midpoint: the household has neither shown access
# nor been refused it, and not borrowing must be neither a merit nor a penalty.
CREDIT_VALUES = {"good": Fraction(1), "none": Fraction(1, 2), "overdue": Fraction(0)}
ACTIVE = "active"
NOT_IN_SCHOOL = "not_in_school"


@dataclass(frozen=True)
class MemberInput:
    """What the indicator reads of one member: no name, no ID number."""

    age: int
    labour: str
    education: str = "junior"
    schooling: str = NOT_IN_SCHOOL
    status: str = ACTIVE

    @property
    def of_working_age(self) -> bool:
        return (
            self.status == ACTIVE
            and WORKING_AGE_FROM <= self.age <= WORKING_AGE_TO
            and self.schooling == NOT_IN_SCHOOL
        )


@dataclass(frozen=True)
class CapacityInputs:
    members: tuple[MemberInput, ...] = ()
    # Months worked in the last twelve, one number per working-age member who has work records
    # in those months (a member without records is not counted: not known, not zero).
    months_worked: tuple[int, ...] = ()
    trainings: int = 0  # delivered training measures for its members in the last 12 months
    enterprise_links: int = 0  # active links to an enterprise or cooperative
    commitments: tuple[float, int] | None = None  # (share kept, commitments due) or not known
    credit: str | None = None  # "none", "good", "overdue" or not known


@dataclass(frozen=True)
class CapacityWeights:
    labour: int = DEFAULT_WEIGHTS[LABOUR]
    skills: int = DEFAULT_WEIGHTS[SKILLS]
    work: int = DEFAULT_WEIGHTS[WORK]
    participation: int = DEFAULT_WEIGHTS[PARTICIPATION]
    commitments: int = DEFAULT_WEIGHTS[COMMITMENTS]
    credit: int = DEFAULT_WEIGHTS[CREDIT]
    version: int = 0  # the stored row's version, kept on each reading (0: the code's defaults)

    def of(self, code: str) -> int:
        return int(getattr(self, code))

    @property
    def total(self) -> int:
        return sum(self.of(code) for code in COMPONENTS)


def weights_problem(values: Mapping[str, object]) -> int | None:
    """The sum the weights make when they are not whole numbers from 0 to 100 summing to exactly
    100, else None. Only the sum is named back to the officer: each weight's own range is the
    form's and the serializer's check."""
    numbers = [values.get(code) for code in COMPONENTS]
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 100 for n in numbers):
        return -1
    total = sum(numbers)  # type: ignore[arg-type]
    return None if total == WEIGHTS_TOTAL else total


@dataclass(frozen=True)
class Component:
    code: str
    value: Fraction | None  # 0 to 1; None: not recorded
    weight: int  # as set
    share: Fraction  # the weight it carries once unknown components' weights are shared
    reason: str  # a short key (monitoring.labels.CAPACITY_REASONS)
    details: dict

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def points(self) -> Fraction:
        return (self.value or Fraction(0)) * self.share

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "value": None if self.value is None else _round(self.value, "0.01"),
            "weight": self.weight,
            "share": _round(self.share, "0.1"),
            "points": _round(self.points, "0.1"),
            "reason": self.reason,
            "details": self.details,
        }


@dataclass(frozen=True)
class CapacityResult:
    score: int
    components: tuple[Component, ...]
    working_age: int

    @property
    def shared(self) -> bool:
        """Some component was not recorded and its weight was shared among the others."""
        return any(not c.known and c.weight for c in self.components)

    def components_json(self) -> list[dict]:
        return [component.as_json() for component in self.components]


def _round(value: Fraction, places: str) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _labour(working: list[MemberInput]) -> tuple[Fraction | None, str, dict]:
    if not working:
        return Fraction(0), "no_working_age", {"working_age": 0}
    value = sum((LABOUR_SHARE.get(m.labour, Fraction(0)) for m in working), Fraction(0)) / len(
        working
    )
    able = sum(1 for m in working if m.labour in LABOUR_SHARE)
    if able == 0:
        reason = "none_able"
    elif value == 1:
        reason = "all_able"
    else:
        reason = "some_able"
    return value, reason, {"working_age": len(working), "able": able}


def _skills(working: list[MemberInput]) -> tuple[Fraction | None, str, dict]:
    if not working:
        return None, "no_working_age", {}
    value = sum((EDUCATION_VALUE.get(m.education, Fraction(0)) for m in working), Fraction(0))
    value /= len(working)
    senior = sum(1 for m in working if EDUCATION_VALUE.get(m.education, 0) >= Fraction(3, 4))
    reason = "senior_or_above" if senior == len(working) else "some_below_senior"
    if value <= Fraction(1, 4):
        reason = "little_schooling"
    return value, reason, {"working_age": len(working), "senior_or_above": senior}


def _work(inputs: CapacityInputs, working: list[MemberInput]) -> tuple[Fraction | None, str, dict]:
    if not working:
        return None, "no_working_age", {}
    if not inputs.months_worked:
        return None, "not_recorded", {}
    months = [min(max(m, 0), 12) for m in inputs.months_worked]
    value = Fraction(sum(months), 12 * len(months))
    reason = "stable" if value >= Fraction(3, 4) else "unstable" if value else "no_work"
    return value, reason, {"members": len(months), "months": months}


def _participation(inputs: CapacityInputs) -> tuple[Fraction | None, str, dict]:
    trainings, links = max(inputs.trainings, 0), max(inputs.enterprise_links, 0)
    value = Fraction(min(trainings, TRAININGS_FULL), 2 * TRAININGS_FULL)
    value += Fraction(1, 2) if links else Fraction(0)
    if trainings and links:
        reason = "trained_and_linked"
    elif trainings:
        reason = "trained"
    elif links:
        reason = "linked"
    else:
        reason = "none"
    return value, reason, {"trainings": trainings, "links": links}


def _commitments(inputs: CapacityInputs) -> tuple[Fraction | None, str, dict]:
    if inputs.commitments is None or inputs.commitments[1] <= 0:
        return None, "not_recorded", {}
    share, count = inputs.commitments
    value = min(max(Fraction(str(share)), Fraction(0)), Fraction(1))
    return value, "kept" if value >= Fraction(3, 4) else "not_kept", {"due": count}


def _credit(inputs: CapacityInputs) -> tuple[Fraction | None, str, dict]:
    if inputs.credit not in CREDIT_VALUES:
        return None, "not_recorded", {}
    return CREDIT_VALUES[inputs.credit], f"credit_{inputs.credit}", {}


def capacity_of(inputs: CapacityInputs, weights: CapacityWeights) -> CapacityResult:
    working = [m for m in inputs.members if m.of_working_age]
    found = {
        LABOUR: _labour(working),
        SKILLS: _skills(working),
        WORK: _work(inputs, working),
        PARTICIPATION: _participation(inputs),
        COMMITMENTS: _commitments(inputs),
        CREDIT: _credit(inputs),
    }
    known_weight = sum(
        weights.of(code) for code, (value, _, _) in found.items() if value is not None
    )
    components = []
    for code in COMPONENTS:
        value, reason, details = found[code]
        if value is None or not known_weight:
            share = Fraction(0)
        else:
            share = Fraction(weights.of(code) * WEIGHTS_TOTAL, known_weight)
        components.append(Component(code, value, weights.of(code), share, reason, details))
    total = sum((c.points for c in components), Fraction(0))
    score = int(_round(total, "1"))
    return CapacityResult(max(0, min(score, 100)), tuple(components), len(working))


def age_on(birth_date: datetime.date, as_of: datetime.date) -> int:
    """Whole years of age on the as-of date."""
    return (
        as_of.year
        - birth_date.year
        - ((as_of.month, as_of.day) < (birth_date.month, birth_date.day))
    )
