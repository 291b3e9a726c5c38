"""A realistic demo county on real Jingtai codes, generated deterministically from a seed.

Shares are rough figures for a dry-land county of north-west China: about a quarter of the
households were lifted out of poverty in 2014-2020, families of one to seven people with elderly
parents and children, chronic illness in about one person in eight, disability in about one in
sixteen, most working-age adults farming or working away. Rows are written with COPY; a save loop
would take an hour for 100,000 households.
"""

import datetime
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from faker.providers.person.zh_CN import Provider as ChineseNames
from stdnum.cn import ric

from core import id_numbers

TODAY = datetime.date(2026, 1, 1)  # ages are fixed for a seed, whatever day it is run
REGISTERED_ON = datetime.date(2021, 1, 1)  # the monitoring mechanism's start
VISIT_HISTORY_DAYS = 720
# Demo monitoring lines for Gansu after the 2021 national floor (marked as demo values).
GANSU_DEMO_LINES = {2022: 6300, 2023: 6600, 2024: 7000, 2025: 7300, 2026: 7600}
# Demo values of the rural dibao and tekun standards (yuan per person per year; tekun at 1.3 times
# dibao, as many provinces set it), with the dibao-edge line at 1.5 times dibao: not Gansu's.
GANSU_DEMO_STANDARDS = {2024: (5280, 6864), 2025: (5520, 7176), 2026: (5760, 7488)}
# Where people were born: mostly the county itself, some spouses from neighbouring counties.
BIRTH_AREAS = [("620423", 86), ("620421", 5), ("620422", 4), ("620402", 3), ("620102", 2)]
SURNAMES = list(ChineseNames.last_names)
SURNAME_WEIGHTS = (
    list(ChineseNames.last_names.values()) if isinstance(ChineseNames.last_names, dict) else None
)


@dataclass
class DemoMember:
    name: str
    id_number: str
    sex: str
    birth_date: datetime.date
    relation: str
    phone: str = ""
    health: str = "healthy"
    disability: str = "none"
    health_note: str = ""
    labour: str = "ordinary"
    education: str = "junior"
    schooling: str = "not_in_school"
    work: str = "none"
    medical_insurance: bool = True
    pension_insurance: bool = False
    dibao: bool = False
    tekun: bool = False


@dataclass
class DemoVisit:
    visited_on: datetime.date
    client_uuid: uuid.UUID
    household_size: int
    wage_income: Decimal
    business_income: Decimal
    property_income: Decimal
    transfer_income: Decimal
    medical_spending: Decimal
    education_spending: Decimal
    disaster_loss: Decimal
    checks: tuple[bool, ...]
    events: list[tuple[str, datetime.date, int | None]] = field(default_factory=list)

    @property
    def total_net_income(self) -> Decimal:
        return self.wage_income + self.business_income + self.property_income + self.transfer_income

    @property
    def per_capita_income(self) -> Decimal:
        return (self.total_net_income / self.household_size).quantize(Decimal("0.01"))

    @property
    def rigid_spending(self) -> Decimal:
        return self.medical_spending + self.education_spending + self.disaster_loss


@dataclass
class DemoHousehold:
    number: str
    village_code: str
    address: str
    phone: str
    bank_account: str
    poverty_status: str
    poverty_exit_year: int | None
    members: list[DemoMember] = field(default_factory=list)
    visits: list[DemoVisit] = field(default_factory=list)


class DemoCounty:
    def __init__(self, seed: int, until: datetime.date):
        self.random = random.Random(seed)
        self.until = until  # the latest visits fall shortly before this day
        self.used_ids: set[str] = set()

    # people ------------------------------------------------------------------------------

    def surname(self) -> str:
        if SURNAME_WEIGHTS:
            return self.random.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        return self.random.choice(SURNAMES)

    def given_name(self, sex: str) -> str:
        pool = ChineseNames.first_names_male if sex == "male" else ChineseNames.first_names_female
        name = self.random.choice(pool)
        return (
            name if len(name) > 1 or self.random.random() < 0.4 else name + self.random.choice(pool)
        )

    def id_number(self, birth_date: datetime.date, sex: str) -> str:
        areas, weights = zip(*BIRTH_AREAS, strict=True)
        while True:
            area = self.random.choices(areas, weights)[0]
            sequence = self.random.randrange(0, 998)
            if (sequence % 2 == 1) != (sex == "male"):
                sequence += 1
            body = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return "1" + self.random.choice("3578") + "".join(self.random.choices("0123456789", k=9))

    def birth_date(self, age: int) -> datetime.date:
        return TODAY - datetime.timedelta(days=age * 365 + self.random.randrange(0, 365))

    def person(
        self, *, age: int, sex: str, relation: str, surname: str | None = None
    ) -> DemoMember:
        age = max(0, min(age, 98))
        birth = self.birth_date(age)
        member = DemoMember(
            name=(surname or self.surname()) + self.given_name(sex),
            id_number=self.id_number(birth, sex),
            sex=sex,
            birth_date=birth,
            relation=relation,
        )
        self._facts(member, age)
        return member

    def _facts(self, member: DemoMember, age: int) -> None:
        r = self.random.random
        if r() < (0.05 + age / 400):
            member.health = "chronic"
            member.health_note = self.random.choice(
                ["高血压", "糖尿病", "慢性支气管炎", "风湿性关节炎"]
            )
        if r() < (0.01 + age / 2500):
            member.health = "serious"
            member.health_note = self.random.choice(
                ["恶性肿瘤", "尿毒症", "脑卒中后遗症", "重症肝病"]
            )
        if r() < 0.06:
            member.disability = self.random.choices(
                ["grade_1", "grade_2", "grade_3", "grade_4"], [1, 2, 3, 4]
            )[0]
        member.education = self._education(age)
        member.schooling = self._schooling(age)
        severely_limited = member.health == "serious" or member.disability in ("grade_1", "grade_2")
        if age < 16 or member.schooling != "not_in_school":
            member.labour = "none"
        elif severely_limited:
            member.labour = "lost"
        elif age >= 65 or member.health == "chronic" or member.disability != "none":
            member.labour = self.random.choice(["weak", "none"]) if age >= 70 else "weak"
        else:
            member.labour = "skilled" if r() < 0.15 else "ordinary"
        if member.labour in ("skilled", "ordinary", "weak"):
            member.work = self.random.choices(
                [
                    "farming",
                    "local",
                    "in_province",
                    "out_of_province",
                    "self_employed",
                    "public_post",
                    "none",
                ],
                [40, 20, 14, 14, 5, 2, 5],
            )[0]
        member.pension_insurance = age >= 16 and member.schooling == "not_in_school" and r() < 0.8
        member.medical_insurance = r() < 0.985
        if age >= 16 and r() < 0.6:
            member.phone = self.phone()

    def _education(self, age: int) -> str:
        if age < 6:
            return "preschool"
        if age < 12:
            return "primary"
        if age < 15:
            return "junior"
        weights = [8 + age // 6, 25, 40, 14, 8, 8] if age >= 40 else [1, 10, 45, 20, 12, 12]
        return self.random.choices(
            ["illiterate", "primary", "junior", "senior", "vocational", "college"], weights
        )[0]

    def _schooling(self, age: int) -> str:
        if 3 <= age <= 5:
            return "preschool"
        if 6 <= age <= 11:
            return "primary"
        if 12 <= age <= 14:
            return "junior"
        if 15 <= age <= 17:
            return self.random.choices(["senior", "vocational", "not_in_school"], [60, 30, 10])[0]
        if 18 <= age <= 21 and self.random.random() < 0.35:
            return "higher"
        return "not_in_school"

    # households --------------------------------------------------------------------------

    def household(self, *, village_code: str, village_name: str, sequence: int) -> DemoHousehold:
        r = self.random.random
        lifted = r() < 0.26
        household = DemoHousehold(
            number=f"{village_code}{sequence:04d}",
            village_code=village_code,
            address=f"{village_name}{self.random.randint(1, 9)}社{self.random.randint(1, 120)}号",
            phone=self.phone() if r() < 0.85 else "",
            bank_account=("622848" + "".join(self.random.choices("0123456789", k=13)))
            if r() < 0.7
            else "",
            poverty_status="lifted_out" if lifted else "ordinary",
            poverty_exit_year=self.random.choices(
                [2014, 2015, 2016, 2017, 2018, 2019, 2020], [6, 10, 14, 16, 20, 24, 10]
            )[0]
            if lifted
            else None,
        )
        household.members = self.family()
        household.visits = self.visits(household)
        if r() < (0.12 if lifted else 0.04):
            for member in household.members:
                member.dibao = True
        if len(household.members) == 1 and household.members[0].labour in ("lost", "none"):
            household.members[0].tekun = r() < 0.5
        return household

    def visits(self, household: DemoHousehold) -> list[DemoVisit]:
        """Visits of the last two years at the household's cadence, the latest ones recent.

        Per-capita income is drawn around 15,500 yuan (12,700 for lifted-out households) and
        drifts from visit to visit; a few households fall below the line, meet a shock or fail a
        basic check, so that the demo county has warnings of every kind.
        """
        r = self.random
        lifted = household.poverty_status == "lifted_out"
        cadence = 90 if lifted else 365
        size = len(household.members)
        per_capita = Decimal(str(round(r.lognormvariate(9.45 if lifted else 9.65, 0.3))))
        last = self.until - datetime.timedelta(days=r.randrange(0, cadence))
        dates = []
        while last >= self.until - datetime.timedelta(days=VISIT_HISTORY_DAYS):
            dates.append(last)
            last -= datetime.timedelta(days=cadence + r.randint(-10, 10))
        visits = []
        for visited_on in reversed(dates):
            per_capita = max(
                Decimal("800"), per_capita * Decimal(str(round(r.uniform(0.88, 1.12), 3)))
            )
            if r.random() < 0.02:  # a bad year: harvest, job or health
                per_capita = per_capita * Decimal("0.6")
            total = per_capita * size
            wage_share = Decimal(str(round(r.uniform(0.3, 0.75), 2)))
            transfer = (total * Decimal("0.12")).quantize(Decimal("1"))
            wage = (total * wage_share).quantize(Decimal("1"))
            prop = (total * Decimal("0.02")).quantize(Decimal("1"))
            business = max(Decimal("0"), total - wage - transfer - prop)
            medical = (
                Decimal(str(r.choice([0, 0, 0, 0, 500, 1500, 4000])))
                if r.random() < 0.4
                else Decimal("0")
            )
            if r.random() < 0.01:
                medical += Decimal("30000")
            events: list[tuple[str, datetime.date, int | None]] = []
            if r.random() < 0.03:
                member = r.randrange(size)
                events.append(
                    (
                        r.choice(["illness", "accident", "job_loss", "disaster"]),
                        visited_on - datetime.timedelta(days=r.randint(1, 60)),
                        member,
                    )
                )
            checks = tuple(r.random() > 0.004 for _ in range(5))
            visits.append(
                DemoVisit(
                    visited_on=visited_on,
                    client_uuid=uuid.UUID(int=r.getrandbits(128)),
                    household_size=size,
                    wage_income=wage,
                    business_income=business,
                    property_income=prop,
                    transfer_income=transfer,
                    medical_spending=medical,
                    education_spending=Decimal("0"),
                    disaster_loss=Decimal("2000")
                    if any(e[0] == "disaster" for e in events)
                    else Decimal("0"),
                    checks=checks,
                    events=events,
                )
            )
        return visits

    def family(self) -> list[DemoMember]:
        r = self.random.random
        surname = self.surname()
        head_age = int(self.random.triangular(24, 88, 52))
        head_sex = "male" if r() < 0.86 else "female"
        members = [self.person(age=head_age, sex=head_sex, relation="head", surname=surname)]
        if r() < (0.88 if head_age < 70 else 0.6):
            spouse_sex = "female" if head_sex == "male" else "male"
            members.append(
                self.person(
                    age=head_age + self.random.randint(-5, 3), sex=spouse_sex, relation="spouse"
                )
            )
        if head_age < 62:
            for _ in range(self.random.choices([0, 1, 2, 3], [12, 35, 40, 13])[0]):
                child_age = head_age - self.random.randint(22, 34)
                if child_age >= 0:
                    members.append(
                        self.person(
                            age=child_age,
                            sex=self.random.choice(["male", "female"]),
                            relation="child",
                            surname=surname,
                        )
                    )
            if head_age < 50 and r() < 0.35:
                for sex in self.random.sample(["male", "female"], self.random.randint(1, 2)):
                    members.append(
                        self.person(
                            age=head_age + self.random.randint(24, 32),
                            sex=sex,
                            relation="parent",
                            surname=surname if sex == "male" else None,
                        )
                    )
        elif r() < 0.3:
            members.append(
                self.person(
                    age=head_age - self.random.randint(24, 32),
                    sex="male",
                    relation="child",
                    surname=surname,
                )
            )
            members.append(
                self.person(
                    age=head_age - self.random.randint(25, 33),
                    sex="female",
                    relation="child_in_law",
                )
            )
            for _ in range(self.random.randint(0, 2)):
                members.append(
                    self.person(
                        age=self.random.randint(0, 12),
                        sex=self.random.choice(["male", "female"]),
                        relation="grandchild",
                        surname=surname,
                    )
                )
        return members


def generate(
    *,
    villages: list[tuple[str, str]],
    households: int,
    seed: int,
    until: datetime.date,
) -> Iterator[DemoHousehold]:
    """`households` households spread over the villages, the same for the same seed and day."""
    county = DemoCounty(seed, until)
    sequence: dict[str, int] = {}
    for index in range(households):
        code, name = villages[index % len(villages)]
        sequence[code] = sequence.get(code, 0) + 1
        yield county.household(village_code=code, village_name=name, sequence=sequence[code])


def encrypted(member: DemoMember) -> tuple[str, str, str]:
    return (
        id_numbers.encrypt(member.id_number),
        id_numbers.lookup_hash(member.id_number),
        id_numbers.mask(member.id_number),
    )
