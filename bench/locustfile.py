"""A county's working day as an open model, for locust: arrivals at a rate stepped up until the
server cannot keep it (bench/load_test.py reads the samples this writes and finds the capacity).

Four personas, each arriving as a Poisson process of its own mean think time:
- village workers on their phones, entering visits and opening their households;
- township cadres working their warning queues, cases and task lists;
- a county officer on the dashboard, exporting a village now and then;
- the department systems of the county, reading the API's lists with their tokens.

An open model because people do not wait for the server before they next arrive: a closed model
(N users, each waiting for its answer) slows its own arrivals as the server slows and so never
shows the rate at which the server falls behind. Each simulated user's requests are a Poisson
process (exponential gaps measured from one arrival to the next, not from the answer), and the
users of a step add up to the step's arrival rate; the first arrival of a new user is itself an
exponential gap away, so a step's rate holds from the moment its users are spawned (a Poisson
process is memoryless), with no burst at the start of a step.

bench/load_test.py starts the server and writes the people file this reads (LOAD_PEOPLE): each
person's session or API token, CSRF token and the households, villages, warnings and cases of
their region, so that no request is spent on logging in. Request names group addresses by path
(`/households/[id]/`), so that the figures are per path.
"""

import datetime
import itertools
import json
import os
import random
import re
import time
import uuid

import gevent
from locust import LoadTestShape, events, task
from locust.contrib.fasthttp import FastHttpUser

PEOPLE = json.loads(open(os.environ["LOAD_PEOPLE"], encoding="utf-8").read())
PLAN = PEOPLE["plan"]
WORKERS = itertools.cycle(PEOPLE["village_workers"])
CADRES = itertools.cycle(PEOPLE["township_cadres"])
OFFICERS = itertools.cycle(PEOPLE["county_officers"])
SYSTEMS = itertools.cycle(PEOPLE["api_clients"])

# Every request: (seconds since the run began, milliseconds, name, failed), written at the end.
SAMPLES: list[tuple[float, float, str, bool]] = []
# Every export the worker was asked for: (seconds since the run began when asked, seconds until
# its file was ready or given up on, its last status: "ready", "failed", "refused", or the
# status it had when the officer stopped waiting). Not requests: the capacity is the requests'.
# The page's polls and the download are requests, counted with the rest (a few a minute).
EXPORTS: list[tuple[float, float, str]] = []
# The exports still followed, by job address: when asked. Written as "unfinished" at the end.
FOLLOWING: dict[str, float] = {}
EXPORT_PATIENCE = 120.0
STATUS = re.compile(r'data-status="([a-z]+)"')
STARTED = time.monotonic()
STARTED_AT = time.time()  # the same instant on the clock bench/load_test.py's watch reads


@events.request.add_listener
def _record(request_type, name, response_time, exception, **_kwargs) -> None:
    # Counted in the step the request arrived in, not the one its answer came in.
    arrived = time.monotonic() - STARTED - response_time / 1000
    SAMPLES.append((arrived, response_time, f"{request_type} {name}", bool(exception)))


@events.quitting.add_listener
def _write(**_kwargs) -> None:
    now = time.monotonic()
    EXPORTS.extend((asked - STARTED, now - asked, "unfinished") for asked in FOLLOWING.values())
    with open(PLAN["samples_file"], "w", encoding="utf-8") as out:
        json.dump(
            {
                "samples": SAMPLES,
                "exports": EXPORTS,
                "steps": StepShape.steps_run,
                "started_at": STARTED_AT,
            },
            out,
        )


class Person(FastHttpUser):
    abstract = True
    # The persona's mean seconds between two of its requests (bench/load_test.py: PERSONAS).
    think_seconds = 10.0
    # FastHttpUser keeps one connection a user; a phone on a mobile network rarely keeps one
    # across minutes of reading, and thousands of idle keep-alive sockets are not the load.
    concurrency = 1

    def wait_time(self) -> float:
        self.next_arrival += random.expovariate(1 / self.think_seconds)
        return max(0.0, self.next_arrival - time.monotonic())

    def start_as(self, person: dict) -> None:
        self.person = person
        # Cookies go in a header of our own: with DEBUG off they are Secure, and the server
        # here is plain HTTP on loopback.
        if "token" in person:
            self.own_headers = {"Authorization": f"Token {person['token']}"}
        else:
            self.own_headers = {
                "Cookie": f"sessionid={person['session']}; csrftoken={person['csrf']}",
                "X-CSRFToken": person["csrf"],
            }
        self.own_headers["Accept-Language"] = "zh-hans"
        # The first arrival an exponential gap after the user is spawned (see the docstring).
        first = random.expovariate(1 / self.think_seconds)
        self.next_arrival = time.monotonic() + first
        gevent.sleep(first)

    def read(self, path: str, name: str) -> None:
        # A redirect is a failure: it would be the login page, served fast and counted as a read.
        with self.client.get(
            path, name=name, headers=self.own_headers, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    def post(self, path: str, name: str, *, expect: int, **kwargs) -> None:
        with self.client.post(
            path, name=name, headers=self.own_headers, catch_response=True, **kwargs
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")


class VillageWorker(Person):
    persona = "village_worker"

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
        self.post("/api/v1/visits/", "/api/v1/visits/ (POST)", expect=201, json=body)

    @task(3)
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
    def today(self) -> None:
        self.read("/tasks/", "/tasks/")

    @task(1)
    def households_of_village(self) -> None:
        self.read("/api/v1/households/?ordering=-risk_score", "/api/v1/households/")


class TownshipCadre(Person):
    persona = "township_cadre"

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
    def task_list(self) -> None:
        self.read("/tasks/", "/tasks/")

    @task(2)
    def households_at_risk(self) -> None:
        self.read(
            f"/households/?region={self.person['region']}&ordering=-risk_score", "/households/"
        )

    @task(2)
    def open_household(self) -> None:
        self.read(f"/households/{random.choice(self.person['households'])}/", "/households/[id]/")

    @task(1)
    def cases(self) -> None:
        self.read("/cases/", "/cases/")

    @task(1)
    def open_case(self) -> None:
        if self.person["cases"]:
            self.read(f"/cases/{random.choice(self.person['cases'])}/", "/cases/[id]/")


class CountyOfficer(Person):
    persona = "county_officer"
    # A second connection for the page following an export, beside the officer's next requests.
    concurrency = 2

    def on_start(self) -> None:
        self.start_as(next(OFFICERS))

    @task(4)
    def dashboard(self) -> None:
        self.read("/dashboard/", "/dashboard/")

    @task(3)
    def township_dashboard(self) -> None:
        self.read(f"/dashboard/?region={random.choice(self.person['townships'])}", "/dashboard/")

    @task(2)
    def households_at_risk(self) -> None:
        region = random.choice(self.person["townships"])
        self.read(f"/households/?region={region}&ordering=-risk_score", "/households/")

    @task(1)
    def export_village(self) -> None:
        # An export is a POST (it writes an audit record): one village's households, the size
        # a county officer sends on; the county's largest export is bench/export.py's. A list
        # longer than a request writes (EXPORT_IN_REQUEST_ROWS) answers with its job's page:
        # the officer's page follows it every 2 s, as htmx does, then downloads the file. The
        # following runs beside the officer's next arrivals (an open model: they do not wait).
        village = random.choice(self.person["villages"])
        asked = time.monotonic()
        with self.client.post(
            f"/export/households.xlsx?region={village}",
            name="/export/households.xlsx (POST)",
            headers=self.own_headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            where = response.headers.get("Location", "") if response.status_code == 302 else ""
            if response.status_code != 200 and not where:
                response.failure(f"{response.status_code}")
                return
        if "/export/jobs/" in where:
            gevent.spawn(self.follow_export, where, asked)
        elif where:  # refused with a message: three of this officer's exports still wait
            EXPORTS.append((asked - STARTED, 0.0, "refused"))

    def follow_export(self, job: str, asked: float) -> None:
        FOLLOWING[job] = asked
        polling = {**self.own_headers, "HX-Request": "true", "X-Poll": "1"}
        status = ""
        while status not in ("ready", "failed") and time.monotonic() - asked < EXPORT_PATIENCE:
            gevent.sleep(2)
            with self.client.get(
                job, name="/export/jobs/[id]/", headers=polling, catch_response=True
            ) as response:
                found = STATUS.search(response.text or "")
                status = found.group(1) if found else "lost"
                if response.status_code != 200 or not found:
                    response.failure(f"{response.status_code}")
                    break
        del FOLLOWING[job]
        EXPORTS.append((asked - STARTED, time.monotonic() - asked, status or "lost"))
        if status == "ready":
            self.post(f"{job}download/", "/export/jobs/[id]/download/ (POST)", expect=200)


class DepartmentSystem(Person):
    persona = "api_client"

    def on_start(self) -> None:
        self.start_as(next(SYSTEMS))

    @task(3)
    def households(self) -> None:
        region = random.choice(self.person["townships"])
        page = random.randint(1, 5)
        self.read(f"/api/v1/households/?region={region}&page={page}", "/api/v1/households/ (API)")

    @task(2)
    def warnings(self) -> None:
        region = random.choice(self.person["townships"])
        self.read(f"/api/v1/alerts/?region={region[:9]}&active=1", "/api/v1/alerts/ (API)")


PERSONAS = {
    cls.persona: cls for cls in (VillageWorker, TownshipCadre, CountyOfficer, DepartmentSystem)
}


def _configure() -> None:
    # Inside a function: a User class left in the module's names would be one more for locust.
    for name, cls in PERSONAS.items():
        cls.think_seconds = PLAN["think_seconds"][name]
        # Users in proportion to share × think time, so that requests come in the persona's share.
        cls.weight = max(1, round(PLAN["share"][name] * cls.think_seconds * 10))


_configure()


def _p95(times: list[float]) -> float:
    if not times:
        return 0.0
    times = sorted(times)
    return times[max(int(len(times) * 0.95) - 1, 0)]


class StepShape(LoadTestShape):
    """The arrival rate stepped up; stops after the first step that misses (p95 or errors)."""

    steps_run: list[dict] = []
    use_common_options = False

    def __init__(self) -> None:
        super().__init__()
        self.index = -1
        self.step_started = 0.0

    def _users(self, rate: float) -> int:
        per_request = sum(PLAN["share"][name] * cls.think_seconds for name, cls in PERSONAS.items())
        return max(len(PERSONAS), round(rate * per_request))

    def _missed(self, step: dict) -> bool:
        begin = step["started"] + PLAN["settle_seconds"]
        window = [s for s in SAMPLES if begin <= s[0] < step["ended"]]
        times = [s[1] for s in window]
        return _p95(times) >= PLAN["p95_limit_ms"] or any(s[3] for s in window)

    def tick(self):
        now = time.monotonic() - STARTED
        rates = PLAN["rates"]
        if self.index < 0 or now - self.step_started >= PLAN["step_seconds"]:
            if self.index >= 0:
                finished = self.steps_run[-1]
                finished["ended"] = now
                if self._missed(finished) and not PLAN["run_every_step"]:
                    return None
            self.index += 1
            if self.index >= len(rates):
                return None
            self.step_started = now
            rate = rates[self.index]
            self.steps_run.append({"rate": rate, "users": self._users(rate), "started": now})
        step = self.steps_run[-1]
        return step["users"], PLAN["spawn_rate"]
