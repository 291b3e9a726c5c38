"""The load of a working morning, for locust: village workers entering visits from their phones
and township cadres working their queues. bench/load_test.py starts the server and writes the
people file this reads (LOAD_PEOPLE): each person's session, CSRF token and the households,
warnings and cases of their region, so that no request is spent on logging in.

Request names group addresses by path (`/households/[id]/`), so that the figures are per path.
"""

import datetime
import itertools
import json
import os
import random
import uuid

from locust import HttpUser, between, task

PEOPLE = json.loads(open(os.environ["LOAD_PEOPLE"], encoding="utf-8").read())
WORKERS = itertools.cycle(PEOPLE["village_workers"])
CADRES = itertools.cycle(PEOPLE["township_cadres"])


class Person(HttpUser):
    abstract = True
    # A page every three to ten seconds: people read what they open (and a visit form takes
    # minutes to fill in), so this is a busy morning, not a trickle.
    # A smoke run (bench/run.py --smoke) waits less, so that its few seconds see every path.
    wait_time = between(0.2, 1) if os.environ.get("BENCH_SMOKE") == "1" else between(3, 10)

    def start_as(self, person: dict) -> None:
        self.person = person
        # Cookies go in a header of our own: with DEBUG off they are Secure, and the server
        # here is plain HTTP on loopback.
        self.client.headers.update(
            {
                "Cookie": f"sessionid={person['session']}; csrftoken={person['csrf']}",
                "X-CSRFToken": person["csrf"],
                "Accept-Language": "zh-hans",
            }
        )

    def read(self, path: str, name: str) -> None:
        # A redirect is a failure: it would be the login page, served fast and counted as a read.
        with self.client.get(
            path, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class VillageWorker(Person):
    weight = 7

    def on_start(self) -> None:
        self.start_as(next(WORKERS))

    @task(3)
    def enter_visit(self) -> None:
        household = random.choice(self.person["households"])
        body = {
            "household": household,
            "client_uuid": str(uuid.uuid4()),
            "visited_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
            "household_size": 4,
            "wage_income": str(random.randrange(8000, 40000, 500)),
            "business_income": "3000",
            "property_income": "0",
            "transfer_income": "4000",
            "medical_spending": str(random.choice([0, 0, 0, 12000, 30000])),
            "education_spending": "0",
            "disaster_loss": "0",
            "food_clothing_ok": True,
            "compulsory_education_ok": True,
            "basic_medical_ok": True,
            "safe_housing_ok": True,
            "safe_water_ok": True,
        }
        with self.client.post(
            "/api/v1/visits/", json=body, name="/api/v1/visits/ (POST)", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(2)
    def open_household(self) -> None:
        household = random.choice(self.person["households"])
        self.read(f"/households/{household}/", "/households/[id]/")

    @task(1)
    def visit_form(self) -> None:
        household = random.choice(self.person["households"])
        self.read(f"/visits/new/?household={household}", "/visits/new/")

    @task(1)
    def own_visits(self) -> None:
        self.read("/visits/", "/visits/")

    @task(1)
    def households_of_village(self) -> None:
        self.read("/api/v1/households/?ordering=-risk_score", "/api/v1/households/")


class TownshipCadre(Person):
    weight = 3

    def on_start(self) -> None:
        self.start_as(next(CADRES))

    @task(3)
    def queue(self) -> None:
        self.read("/alerts/", "/alerts/")

    @task(2)
    def open_alert(self) -> None:
        if self.person["alerts"]:
            self.read(f"/alerts/{random.choice(self.person['alerts'])}/", "/alerts/[id]/")

    @task(2)
    def households_at_risk(self) -> None:
        self.read(
            f"/households/?region={self.person['region']}&ordering=-risk_score", "/households/"
        )

    @task(1)
    def open_household(self) -> None:
        self.read(f"/households/{random.choice(self.person['households'])}/", "/households/[id]/")

    @task(1)
    def cases(self) -> None:
        self.read("/cases/", "/cases/")

    @task(1)
    def open_case(self) -> None:
        if self.person["cases"]:
            self.read(f"/cases/{random.choice(self.person['cases'])}/", "/cases/[id]/")

    @task(1)
    def dashboard(self) -> None:
        self.read("/dashboard/", "/dashboard/")
