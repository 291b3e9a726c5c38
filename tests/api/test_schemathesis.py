"""Schemathesis against /api/schema/: every operation, as every kind of caller, on seeded data.

The app runs in-process (WSGI) on the test database, in the test's transaction. The demo county
is seeded once (households, members, visits, alerts, cases, measures, partners, and one household
of another county); every generated request is then sent as each persona, each inside a
savepoint that is rolled back, so a POST of one example never changes what the next one sees,
and nothing is ever committed (no task is queued: on_commit never fires).

What must hold for every response: no 5xx; the status code, content type and body are the
schema's; a token is required wherever the schema says so (`ignored_auth` sends the request again
without it and with a wrong one); and no household, alert or case outside the caller's region,
nor a partner's measure of another partner, is ever returned.

Bounded for CI: a few examples per operation, deterministic (`derandomize`), no shrinking.
"""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis import checks as builtin
from schemathesis.specs.openapi import checks as openapi_checks

from accounts.models import Role, User
from assistance.models import Case, Measure, Need, Partner, PartnerOffer
from core.scope import Scope
from households import services as household_services
from households.models import Household, Member, Region
from monitoring.models import Alert, ScanRun, Signal, Visit
from monitoring.services import alerts as alert_services
from tests.conftest import OTHER_COUNTY
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

# Examples per operation, each sent as every persona: 69 operations × 5 personas × this many
# requests (and ignored_auth's two probes per success) is what the test costs. A deeper run by
# hand: DIXIAN_FUZZ_EXAMPLES=200.
EXAMPLES_PER_OPERATION = int(os.environ.get("DIXIAN_FUZZ_EXAMPLES", "5"))

CONFIG = schemathesis.Config.from_dict(
    {
        # The coverage phase adds dozens of boundary cases per operation: too many for CI's budget.
        "phases": {"coverage": {"enabled": False}},
        "generation": {"mode": "all"},
    }
)


@dataclass(frozen=True)
class Persona:
    name: str
    user: User | None
    token: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"} if self.token else {}


def _other_county_household() -> None:
    """A household in Jingyuan, so that a county-wide token has something to be refused."""
    officer = User.objects.create_user(
        username="jingyuan_officer", role=Role.COUNTY_OFFICER, region_id=OTHER_COUNTY
    )
    village = Region.objects.filter(code__startswith=OTHER_COUNTY[:6], level="village").first()
    household = household_services.household_create(
        actor=officer, village_code=village.code, poverty_status="ordinary"
    )
    household_services.member_create(
        actor=officer,
        household_id=household.pk,
        name="赵长河",
        id_number=make_id_number("620421", "19660102", 1),
        relation="head",
        labour="ordinary",
        education="primary",
    )
    alert_services.self_report_record(
        actor=officer, household_id=household.pk, report="家中老人住院，医疗费用高"
    )


@pytest.fixture
def personas(db) -> dict[str, Persona]:
    call_command("seed_demo", "--households", "200", "--seed", "5", verbosity=0)
    _other_county_household()
    found = {}
    for name, username in [
        ("api_client", "api"),
        ("township_cadre", "township"),
        ("partner", "partner"),
        ("auditor", "auditor"),
    ]:
        user = User.objects.get(username=username)
        found[name] = Persona(name, user, AuthToken.objects.create(user)[1])
    found["anonymous"] = Persona("anonymous", None, None)
    return found


@pytest.fixture
def api_schema(personas, wsgi_app):
    # The schema is for signed-in callers only: fetched with the API client's token.
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        wsgi_app,
        config=CONFIG,
        headers=personas["api_client"].headers,
    )


# Path parameters drawn from stored rows, in and out of the township cadre's scope: a random id
# only ever meets a 404, a stored one reaches the view's real work and its scope.
POOLS = {
    "households": (Household, "id"),
    "members": (Member, "id"),
    "visits": (Visit, "id"),
    "alerts": (Alert, "id"),
    "signals": (Signal, "id"),
    "scan-runs": (ScanRun, "id"),
    "cases": (Case, "id"),
    "measures": (Measure, "id"),
    "partners": (Partner, "id"),
    "partner-offers": (PartnerOffer, "id"),
    "needs": (Need, "id"),
    "regions": (Region, "code"),
}


def stored_keys(resource: str) -> list:
    model, key = POOLS[resource]
    rows = model.objects.order_by(key).values_list(key, flat=True)
    if model is Region:
        rows = rows.filter(level=Region.Level.VILLAGE)
    chosen = list(rows[:3]) + list(rows.reverse()[:3])
    return sorted(set(chosen))


def case_strategy(operation) -> st.SearchStrategy:
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(mode) for mode in modes]
    resource = operation.path.split("/")[3]
    names = [p.name for p in operation.path_parameters]
    if names and resource in POOLS and (keys := stored_keys(resource)):
        (name,) = names
        strategies += [
            st.sampled_from(keys).flatmap(
                lambda key, mode=mode: operation.as_strategy(mode, path_parameters={name: key})
            )
            for mode in modes
        ]
    return st.one_of(strategies)


# Object-level scope --------------------------------------------------------------------------


def _objects(body) -> Iterator[dict]:
    """The top-level objects of a response: a page's results, a list's items or the object."""
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        yield from (item for item in body["results"] if isinstance(item, dict))
    elif isinstance(body, list):
        yield from (item for item in body if isinstance(item, dict))
    elif isinstance(body, dict):
        yield body


def _household_ids(value) -> Iterator[int]:
    """Every household id named anywhere in a body (`household`: an id or {"id": …})."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("household", "household_id"):
                if isinstance(item, int):
                    yield item
                elif isinstance(item, dict) and isinstance(item.get("id"), int):
                    yield item["id"]
            yield from _household_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _household_ids(item)


# Collections under a resource whose items are objects of their own (their ids are not the
# resource's): `/api/v1/cases/{id}/comments/` answers notes, checked through their case's scope
# by the comments' own tests (tests/assistance/test_case_comments.py).
NESTED_COLLECTIONS = {"comments"}


def out_of_scope(persona: Persona, path: str, body) -> list[str]:
    """What this response shows the persona outside its region (or, for a partner, its own
    measures); read inside the example's savepoint, so rows it created count as its own."""
    user = persona.user
    prefix = Scope.of(user).prefix or ""
    households = set(
        Household.objects.filter(village__code__startswith=prefix).values_list("id", flat=True)
    )
    leaks = [f"household {pk}" for pk in set(_household_ids(body)) - households]
    resource = path.split("/")[3] if path.count("/") >= 3 else ""
    if path.rstrip("/").rsplit("/", 1)[-1] in NESTED_COLLECTIONS:
        resource = path.rstrip("/").rsplit("/", 1)[-1]  # a case's notes are not cases
    own = {
        "households": households,
        "alerts": set(
            Alert.objects.filter(household_id__in=households).values_list("id", flat=True)
        ),
        "cases": set(Case.objects.filter(household_id__in=households).values_list("id", flat=True)),
    }.get(resource)
    if own is not None:
        leaks += [
            f"{resource} {item['id']}"
            for item in _objects(body)
            if isinstance(item.get("id"), int) and item["id"] not in own
        ]
    if user.role == Role.PARTNER and resource == "measures":
        mine = set(Measure.objects.filter(partner_id=user.partner_id).values_list("id", flat=True))
        leaks += [
            f"measure {item['id']} of another partner"
            for item in _objects(body)
            if isinstance(item.get("id"), int) and item["id"] not in mine
        ]
    return leaks


def object_level_scope(persona: Persona):
    def check(ctx, response, case) -> None:
        if persona.user is None or not 200 <= response.status_code < 300:
            return None
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            return None
        leaks = out_of_scope(persona, case.operation.path, body)
        assert not leaks, f"{persona.name} received objects outside its scope: {leaks}"
        return None

    check.__name__ = "object_level_scope"
    return check


CHECKS = [
    builtin.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
    openapi_checks.ignored_auth,
]


def send_as_every_persona(case, personas: dict[str, Persona]) -> None:
    for persona in personas.values():
        try:
            with transaction.atomic():
                case.call_and_validate(
                    headers=persona.headers,
                    checks=CHECKS,
                    additional_checks=[object_level_scope(persona)],
                )
                transaction.set_rollback(True)
        except BaseException as failure:
            failure.add_note(f"as persona {persona.name}")
            raise


BOUNDED = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same cases on every run, so a CI failure replays locally
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the report names the case
    suppress_health_check=list(HealthCheck),
)


def test_the_api_keeps_its_schema_and_its_scopes(api_schema, personas, subtests):
    only = os.environ.get("DIXIAN_FUZZ_ONLY", "")  # by hand: a part of "POST /api/v1/cases/"
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if only not in operation.label:
            continue

        @BOUNDED
        @given(case=case_strategy(operation))
        def fuzz(case):
            send_as_every_persona(case, personas)

        with subtests.test(operation.label):
            fuzz()


def test_the_scope_check_names_another_townships_household(
    township_cadre, household, other_township_household
):
    cadre = Persona("township_cadre", township_cadre, None)
    own = {"results": [{"id": household.pk, "number": household.number}]}
    assert out_of_scope(cadre, "/api/v1/households/", own) == []
    leaked = {"results": [{"id": other_township_household.pk}]}
    assert out_of_scope(cadre, "/api/v1/households/", leaked) == [
        f"households {other_township_household.pk}"
    ]
    nested = {"id": 1, "household": {"id": other_township_household.pk, "number": "x"}}
    assert out_of_scope(cadre, "/api/v1/cases/{id}/", nested) == [
        f"household {other_township_household.pk}",
        "cases 1",
    ]
