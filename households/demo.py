"""A realistic demo county on real Jingtai codes, generated deterministically from a seed.

Shares are rough figures for a dry-land county of north-west China: about a quarter of the
households were lifted out of poverty in 2014-2020, families of one to seven people with elderly
parents and children, chronic illness in about one person in eight, disability in about one in
sixteen, most working-age adults farming or working away. Rows are written with COPY; a save loop
would take an hour for 100,000 households.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from faker.providers.person.zh_CN import Provider as ChineseNames
from stdnum.cn import ric

from households import id_numbers

TODAY = datetime.date(2026, 1, 1)  # ages are fixed for a seed, whatever day it is run
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
class DemoHousehold:
    number: str
    village_code: str
    address: str
    phone: str
    bank_account: str
    poverty_status: str
    poverty_exit_year: int | None
    members: list[DemoMember] = field(default_factory=list)


class DemoCounty:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
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
        if r() < (0.12 if lifted else 0.04):
            for member in household.members:
                member.dibao = True
        if len(household.members) == 1 and household.members[0].labour in ("lost", "none"):
            household.members[0].tekun = r() < 0.5
        return household

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
    start_sequence: dict | None = None,
) -> Iterator[DemoHousehold]:
    """`households` households spread over the villages, in a stable order for the seed."""
    county = DemoCounty(seed)
    sequence = dict(start_sequence or {})
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
