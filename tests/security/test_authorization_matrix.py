"""Every URL in the URLconf × every persona × every method it accepts: who gets in, who does not.

ENTRIES holds one Entry per URL name (the unnamed admin redirects by their route). A URL with no
entry fails test_every_url_has_an_entry, so a new page cannot go unreviewed; an entry whose URL
is gone fails too. To add a URL, add an Entry: how to build its arguments for an object of the
home scope or of the outside one (another county, tests/security/conftest.py), which methods to
try, and which personas may read (GET) and write (the other methods) the home object.

Refused means: anonymous is sent to a login page (a page) or gets 401 (the API); a signed-in
persona gets 403 or 404 (the admin's "no such object" redirect to its index counts too). Never a
500, and never the name or number of a household outside the persona's scope in the body, for
any persona and any response, allowed or not. A refused write changes no row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.idgen import make_id_number
from tests.security.conftest import PERSONAS, SCOPE_VIEWERS, World, body_text

Args = Callable[[World, str], dict]
Query = Callable[[World, str], str]
Target = Callable[[World, str], QuerySet]


def no_args(world: World, scope: str) -> dict:
    return {}


def pk_of(attribute: str, key: str = "pk") -> Args:
    """Arguments {key: the pk of the scope's <attribute>}."""

    def build(world: World, scope: str) -> dict:
        return {key: getattr(world.scope(scope), attribute).pk}

    build.takes_object = True  # type: ignore[attr-defined]
    return build


def meeting_of_case(world: World, scope: str) -> dict:
    """The village and day of the deliberation meeting of the scope's case (notice posted)."""
    from assistance.notices import case_notice

    case = world.scope(scope).case
    notice = case_notice(case)
    assert notice is not None and notice.decided_on is not None
    return {"village": case.household.village_id, "day": notice.decided_on.isoformat()}


meeting_of_case.takes_object = True  # type: ignore[attr-defined]


def rows_of(attribute: str) -> Target:
    """The one row a refused write must leave as it was."""

    def rows(world: World, scope: str) -> QuerySet:
        obj = getattr(world.scope(scope), attribute)
        return type(obj).objects.filter(pk=obj.pk)

    return rows


def all_rows(model_path: str) -> Target:
    """Every row of a model: a refused create must add none."""

    def rows(world: World, scope: str) -> QuerySet:
        from django.apps import apps

        return apps.get_model(model_path).objects.all()

    return rows


@dataclass(frozen=True)
class Entry:
    readers: frozenset[str]  # personas whose GET of the home object gets through
    writers: frozenset[str] = frozenset()  # personas whose other methods get through
    args: Args = no_args
    methods: tuple[str, ...] = ("GET",)
    kind: str = "page"  # "page", "api" or "admin": how an anonymous refusal looks
    target: Target | None = None  # rows a refused write must not change
    queries: tuple[Query, ...] = ()  # requests aimed at the outside scope through a list's filters
    body: dict | Callable[[World, str], dict] = field(default_factory=dict)
    url: Callable[[World, str], str] | None = None  # for an unnamed route: its path, built
    variants: tuple[dict, ...] = ({},)  # more arguments, each tried: an action, a step, a kind
    params: Query | None = None  # a query string that names the object (?household=…)
    method_writers: dict[str, frozenset[str]] = field(default_factory=dict)  # per method
    readers_by_variant: dict[str, frozenset[str]] = field(default_factory=dict)
    writers_by_variant: dict[str, frozenset[str]] = field(default_factory=dict)
    # Personas the view answers 400 (the input first) although their role may not write here:
    # the service still refuses them with valid input, and the row stays as it was.
    input_first: frozenset[str] = frozenset()

    @property
    def takes_object(self) -> bool:
        return self.params is not None or getattr(self.args, "takes_object", False)

    def allowed(self, method: str, variant: int) -> frozenset[str]:
        values = "".join(
            str(value) for value in self.variants[variant].values() if not callable(value)
        )
        if method != "GET":
            writers = self.method_writers.get(method, self.writers)
            return self.writers_by_variant.get(values, writers)
        return self.readers_by_variant.get(values, self.readers)


CIVIL_AFFAIRS_DECISION = {
    "decision": "approved",
    "decided_on": "2026-01-05",
    "amount": "450.00",
    "version": 1,
}

# Who is who, in sets the entries below combine.
ANYONE = frozenset(PERSONAS)
SIGNED_IN = ANYONE - {"anonymous", "api_client"}
FIELD = frozenset({"village_worker", "township_cadre", "county_officer"})
CADRES = frozenset({"township_cadre", "county_officer"})
COUNTY = frozenset({"county_officer"})
# Staff of other places: they pass the role check of a list or a form and see their own region.
OTHERS = frozenset({"other_township_cadre", "other_county_officer"})
READERS = FIELD | {"auditor"}
NOBODY: frozenset[str] = frozenset()
API = frozenset({"api_client"})
LISTS = FIELD | OTHERS | {"auditor"}
# Development plans: drafted and reviewed by village workers and township cadres; agreed and
# closed by township cadres.
PLAN_DRAFTERS = frozenset({"village_worker", "township_cadre"})
PLAN_AGREERS = frozenset({"township_cadre"})
IMPORT_OWNER = frozenset({"township_cadre"})  # the home scope's import job is its cadre's
EXPORT_OWNER = frozenset({"township_cadre"})  # and so is its export job


def query(template: str) -> Query:
    """A query string for a scope: {household}, {village}, {number}, {case}, {county}."""

    def build(world: World, scope: str) -> str:
        place = world.scope(scope)
        return template.format(
            household=place.household.pk,
            village=place.village.code,
            number=place.household.number,
            case=place.case.pk,
            county=place.village.code[:6] + "000000",
        )

    return build


BY_HOUSEHOLD = query("?household={household}")
BY_VILLAGE = query("?village={village}")
BY_REGION = query("?region={village}")
BY_NUMBER = query("?q={number}")


def id_number_search(world: World, scope: str) -> dict:
    """A working list's search box holding the scope's head's ID number (sent by POST only:
    households.list_search), as tests/security/conftest.py registered it."""
    place = world.scope(scope)
    serial = 11 if scope == "home" else 21
    return {"q": make_id_number(place.village.code[:6], "19680315", serial)}


def public_village(world: World, scope: str) -> dict:
    """A village's public page: the same address for everyone, whoever asks (no object)."""
    return {"code": world.scope(scope).village.code}


def village_code_of_scope(world: World, scope: str) -> dict:
    return {"code": world.scope(scope).village.code}


village_code_of_scope.takes_object = True  # type: ignore[attr-defined]


REASON = {"reason": "核对身份信息"}
DECLINE = {"reason": "本季度名额已满"}


def versioned(attribute: str, **fields) -> Callable[[World, str], dict]:
    """A body that passes the form or serializer, so that the role check is what answers."""

    def build(world: World, scope: str) -> dict:
        obj = getattr(world.scope(scope), attribute)
        return {"version": type(obj).objects.get(pk=obj.pk).version, **fields}

    return build


STEP_BODY = versioned("case", decision="approved", comment="matrix")
# The village's own steps (the notice and its result); the township and county have theirs.
VILLAGE_STEP = frozenset({"village_worker"})


def form(readers, writers=None, **extra) -> Entry:
    """A page with a form: GET shows it, POST sends it (empty unless a body is given)."""
    writers = readers if writers is None else writers
    return Entry(
        readers=frozenset(readers), writers=frozenset(writers), methods=("GET", "POST"), **extra
    )


def post(writers, **extra) -> Entry:
    return Entry(readers=NOBODY, writers=frozenset(writers), methods=("POST",), **extra)


def evidence_owner(kind: str) -> Callable[[World, str], int]:
    """The id of the scope's record a file of `kind` is attached to (a case step: the first)."""

    def build(world: World, scope: str) -> int:
        place = world.scope(scope)
        if kind == "case_step":
            return place.case.steps.order_by("position").first().pk
        return getattr(place, kind).pk

    return build


def _owner_in_variant(world: World, scope: str) -> dict:
    return {}


_owner_in_variant.takes_object = True  # type: ignore[attr-defined]

# Attached files (evidence/): one variant per kind of record. Seen by whoever sees the record
# (a partner: its own measure's receipts); attached by whoever writes it: the visit by field
# staff, the verification by cadres (or the one it is assigned to: nobody in the world), the
# case's first step by those who propose or manage cases, the delivery by cadres and its partner.
EVIDENCE_KINDS = ("visit", "alert", "case_step", "measure")
EVIDENCE_VARIANTS = tuple(
    {"kind": kind, "owner_id": evidence_owner(kind)} for kind in EVIDENCE_KINDS
)
EVIDENCE_READERS = {
    "visit": READERS,
    "alert": READERS,
    "case_step": READERS,
    "measure": READERS | {"partner"},
}
EVIDENCE_WRITERS = {
    "visit": FIELD,
    "alert": CADRES,
    "case_step": FIELD,
    "measure": CADRES | {"partner"},
}


def evidence_of(attribute: str) -> Args:
    def build(world: World, scope: str) -> dict:
        return {"pk": world.scope(scope).evidence.pk}

    build.takes_object = True  # type: ignore[attr-defined]
    return build


PAGES: dict[str, Entry] = {
    # accounts; logout ends at the login page for everyone, which reads as "sent to login"
    "login": Entry(readers=ANYONE),
    "logout": post(NOBODY),
    "home": Entry(readers=SIGNED_IN),
    "more": Entry(readers=SIGNED_IN),  # the phone's menu and account page (dashboards)
    # Login protection (accounts/login_views.py). The code step sends anonymous, who gave no
    # password, to the login page, and a signed-in user without a device on to set one up.
    "login-code": form(SIGNED_IN),
    "password-change": form(SIGNED_IN),
    "two-factor": form(SIGNED_IN),
    "api-token-list": form(SIGNED_IN),
    "admin-login": Entry(readers=ANYONE, kind="admin"),  # our login view at the admin's address
    "set_language": post(ANYONE),
    # households
    # The search box is a POST (an ID number never in a query string): a search, not a write.
    "household-list": Entry(
        readers=LISTS,
        writers=LISTS,
        methods=("GET", "POST"),
        body=id_number_search,
        queries=(BY_VILLAGE, BY_NUMBER),
    ),
    "household-create": form(FIELD | OTHERS, target=all_rows("households.Household")),
    "household-detail": Entry(readers=READERS, args=pk_of("household")),
    "household-edit": form(FIELD, args=pk_of("household"), target=rows_of("household")),
    "household-history": Entry(readers=READERS, args=pk_of("household")),
    "household-unmask": post(
        CADRES,
        args=pk_of("household"),
        body=REASON,
        target=all_rows("households.SensitiveAccess"),
    ),
    "member-create": form(FIELD, args=pk_of("household"), target=all_rows("households.Member")),
    "member-edit": form(FIELD, args=pk_of("head"), target=rows_of("head")),
    # Life events: a move, a split (分户), a merge (合户); each a small form page.
    "member-move": form(FIELD, args=pk_of("head"), target=rows_of("head")),
    "household-split": form(
        FIELD, args=pk_of("household"), target=all_rows("households.Household")
    ),
    "household-merge": form(FIELD, args=pk_of("household"), target=rows_of("household")),
    # monitoring
    # pairings: the KPIs are the township's and county's; a cadre's own list is everyone's who
    # may be paired (an auditor's is empty); pairing and contacts need their permissions.
    "pairing-overview": Entry(readers=CADRES | OTHERS),
    "pairing-mine": Entry(readers=LISTS),
    "pairing-assign": form(CADRES, args=pk_of("household"), target=all_rows("pairings.Pairing")),
    "contact-create": form(FIELD, args=pk_of("household"), target=all_rows("pairings.Contact")),
    # A county's limits and referral days: its county officers, each their own county (an empty
    # form is answered 200 with its errors, and writes nothing).
    "pairing-policy": form(
        COUNTY | {"other_county_officer"}, target=all_rows("pairings.PairingPolicy")
    ),
    "referral-policy": form(
        COUNTY | {"other_county_officer"}, target=all_rows("assistance.ReferralPolicy")
    ),
    "visit-lists": Entry(readers=FIELD | OTHERS, queries=(BY_HOUSEHOLD, BY_VILLAGE)),
    "visit-create": form(FIELD, params=BY_HOUSEHOLD, target=all_rows("monitoring.Visit")),
    "visit-household-search": Entry(readers=FIELD | OTHERS, queries=(BY_NUMBER, BY_VILLAGE)),
    "visit-household-picklist": Entry(readers=FIELD | OTHERS, queries=(BY_VILLAGE,)),
    "service-worker": Entry(readers=ANYONE),
    "web-manifest": Entry(readers=ANYONE),
    "visit-detail": Entry(readers=READERS, args=pk_of("visit")),
    "self-report": form(FIELD, args=pk_of("household"), target=all_rows("monitoring.Alert")),
    "alert-queue": Entry(readers=LISTS, queries=(BY_VILLAGE, BY_HOUSEHOLD)),
    "alert-detail": Entry(readers=READERS, args=pk_of("alert")),
    "alert-action": post(
        CADRES,
        # the assignment form wants a colleague before the role is asked
        input_first=frozenset({"village_worker", "auditor"}),
        body=versioned("alert", note="matrix", reason="matrix"),
        args=pk_of("alert"),
        target=rows_of("alert"),
        variants=tuple({"action": action} for action in ("assign", "verify", "confirm", "dismiss")),
    ),
    # The queue's action bar: whoever manages warnings passes the role check (a cadre of another
    # place too: a warning outside their region is skipped as unknown, tests/monitoring/
    # test_bulk_actions.py); the body, without a colleague, is answered with the form's errors.
    "alert-bulk": post(
        CADRES | OTHERS,
        body=lambda w, s: {"alerts": f"{w.scope(s).alert.pk}:1", "action": "assign"},
        target=rows_of("alert"),
    ),
    # A user's own saved filters: an empty form is answered with its errors; deleting one that
    # is not one's own is as unknown as one that does not exist.
    "alert-filter-save": post(LISTS, target=all_rows("accounts.SavedFilter")),
    "alert-filter-delete": post(NOBODY, args=lambda w, s: {"pk": 2**31 - 1}),
    "signal-list": Entry(readers=CADRES | OTHERS | {"auditor"}, queries=(BY_HOUSEHOLD,)),
    # One signal and, while it waits for review, the desk's three answers to it.
    "signal-review": Entry(readers=CADRES | {"auditor"}, args=pk_of("signal")),
    # The signal desk; the world's signal is matched already, so a reviewer is answered with the
    # "waiting for review only" message, after being let through.
    "signal-resolve": post(
        CADRES, body={"resolution": "matrix"}, args=pk_of("signal"), target=rows_of("signal")
    ),
    # Area events (规模性返贫 screening): field staff and auditors see the events of their region
    # (a cadre of another place: their own, none here); cadres open and close them, field staff
    # screen the households of their region.
    "area-event-list": Entry(readers=LISTS),
    "area-event-create": form(CADRES | OTHERS, target=all_rows("monitoring.AreaEvent")),
    "area-event-detail": Entry(readers=READERS, args=pk_of("area_event")),
    "area-event-close": post(
        CADRES,
        body=versioned("area_event", note="matrix"),
        args=pk_of("area_event"),
        target=rows_of("area_event"),
    ),
    "screening-record": post(
        FIELD,
        body=versioned("screening_task", status="affected", note="matrix"),
        args=pk_of("screening_task"),
        target=rows_of("screening_task"),
    ),
    "scan-list": Entry(readers=CADRES | OTHERS | {"auditor"}),
    # Backtests (backtests/): county officers start and read them, auditors read; a county's run
    # is its own (an empty form is answered 200 with its errors, and starts none).
    "backtest-list": form(
        COUNTY | {"other_county_officer", "auditor"},
        COUNTY | {"other_county_officer"},
        target=all_rows("backtests.BacktestRun"),
    ),
    "backtest-help": Entry(readers=COUNTY | {"other_county_officer", "auditor"}),
    "backtest-detail": Entry(readers=COUNTY | {"auditor"}, args=pk_of("backtest_run")),
    # GET lists; POST marks read (all, or the one named), only the user's own.
    "notification-list": form(SIGNED_IN, target=all_rows("monitoring.Notification")),
    # A county's webhooks and their delivery log: its county officers, each of their own county
    # (an empty form is answered 200 with its errors, and writes nothing).
    "webhook-list": form(COUNTY | {"other_county_officer"}, target=all_rows("monitoring.Webhook")),
    "webhook-delivery-list": Entry(readers=COUNTY | {"other_county_officer"}),
    # assistance
    "case-list": Entry(
        readers=LISTS,
        writers=LISTS,
        methods=("GET", "POST"),
        body=id_number_search,
        queries=(BY_HOUSEHOLD, BY_VILLAGE),
    ),
    "case-overdue": Entry(readers=LISTS),
    "civil-affairs-roster-list": Entry(readers=CADRES | OTHERS | {"auditor"}),
    "civil-affairs-roster-detail": Entry(readers=CADRES | {"auditor"}, args=pk_of("roster")),
    "civil-affairs-roster-line-act": post(
        CADRES,
        args=pk_of("roster_line"),
        body=versioned("roster_line", action="note", note="matrix"),
        target=rows_of("roster_line"),
    ),
    "case-propose": form(
        {"village_worker", "township_cadre"},
        params=BY_HOUSEHOLD,
        body=lambda w, s: {"household": w.scope(s).household.pk},
        target=all_rows("assistance.Case"),
    ),
    "case-detail": Entry(readers=READERS, args=pk_of("case")),
    "case-edit": form(CADRES, args=pk_of("case"), target=rows_of("case")),
    "case-step": post(
        FIELD,
        # a step the case is not waiting for is refused (400) before the role is asked
        input_first=frozenset({"auditor"}),
        writers_by_variant={"notice": VILLAGE_STEP},
        body=STEP_BODY,
        args=pk_of("case"),
        target=rows_of("case"),
        variants=tuple(
            {"kind": kind}
            for kind in (
                "consent",
                "info_check",
                "home_verification",
                "deliberation",
                "notice",
                "township_review",
                "county_approval",
            )
        ),
    ),
    "case-notice-post": post(
        VILLAGE_STEP,
        body=versioned("case", starts_on="2099-01-01", ends_on="2099-01-09"),
        args=pk_of("case"),
        target=rows_of("case"),
    ),
    # A print is recorded, so it is a POST; a refused one records nothing.
    "case-notice-print": post(READERS, args=pk_of("case"), target=all_rows("audit.ExportEvent")),
    # The notice of one deliberation meeting: every household of it, recorded like the single one.
    "meeting-notice-print": post(
        READERS, args=meeting_of_case, target=all_rows("audit.ExportEvent")
    ),
    # The case's referral to civil affairs and its decision: townships and counties. The world's
    # case is not referred, so a decision is answered with its error and writes nothing.
    "case-civil-affairs-refer": post(
        CADRES,
        body={"kind": "dibao"},
        args=pk_of("case"),
        target=all_rows("assistance.CivilAffairsReferral"),
    ),
    "case-civil-affairs-decision": post(
        CADRES,
        body=CIVIL_AFFAIRS_DECISION,
        args=pk_of("case"),
        target=all_rows("assistance.CivilAffairsReferral"),
    ),
    "case-elimination": post(
        {"village_worker", "township_cadre"},
        body=versioned("case"),
        args=pk_of("case"),
        target=rows_of("case"),
    ),
    # Delegations: townships and counties give and revoke them; field staff and auditors see
    # those of their region. A case's conversation: everyone who works the case, and the partner
    # with a measure on it; an empty note comes back to the page with its error.
    "delegation-list": form(
        FIELD | OTHERS | {"auditor"}, CADRES | OTHERS, target=all_rows("assistance.Delegation")
    ),
    "delegation-revoke": post(CADRES, args=pk_of("delegation"), target=rows_of("delegation")),
    "case-comment-post": post(
        FIELD | {"partner"}, args=pk_of("case"), target=all_rows("assistance.CaseComment")
    ),
    "measure-create": form(CADRES, args=pk_of("case"), target=all_rows("assistance.Measure")),
    "measure-list": Entry(
        readers=LISTS | {"partner"},
        writers=LISTS | {"partner"},
        methods=("GET", "POST"),
        body=id_number_search,
        queries=(BY_HOUSEHOLD, query("?case={case}")),
    ),
    "measure-detail": Entry(readers=READERS | {"partner"}, args=pk_of("measure")),
    "evidence-attach": post(
        NOBODY,
        args=_owner_in_variant,
        variants=EVIDENCE_VARIANTS,
        writers_by_variant={kind: frozenset(EVIDENCE_WRITERS[kind]) for kind in EVIDENCE_KINDS},
        target=all_rows("evidence.Evidence"),
    ),
    # The world's file is a receipt of the scope's measure.
    "evidence-download": Entry(readers=READERS | {"partner"}, args=evidence_of("measure")),
    "measure-edit": form(CADRES, args=pk_of("measure"), target=rows_of("measure")),
    # Partners serve a whole county: every township's cadres may see and update them.
    # Referrals are answered by the partner's own users; the board is read by cadres of the
    # region and partners of the area, claimed by partners, confirmed and withdrawn by cadres.
    "measure-accept": post({"partner"}, args=pk_of("measure"), target=rows_of("measure")),
    "measure-decline": post(
        {"partner"}, args=pk_of("measure"), body=DECLINE, target=rows_of("measure")
    ),
    "need-list": Entry(readers=LISTS | {"partner"}),
    "need-publish": post(CADRES, args=pk_of("case"), target=all_rows("assistance.Need")),
    "need-claim": post({"partner"}, args=pk_of("need"), target=rows_of("need")),
    "need-confirm": post(
        CADRES, args=pk_of("need"), body=versioned("need"), target=rows_of("need")
    ),
    "need-withdraw": post(
        CADRES, args=pk_of("need"), body=versioned("need"), target=rows_of("need")
    ),
    "partner-list": Entry(readers=LISTS | {"partner"}),
    "partner-create": form(CADRES | OTHERS, target=all_rows("assistance.Partner")),
    "partner-detail": Entry(
        readers=READERS | {"partner", "other_township_cadre"}, args=pk_of("partner")
    ),
    "partner-edit": form(
        CADRES | {"other_township_cadre"}, args=pk_of("partner"), target=rows_of("partner")
    ),
    "offer-create": form(
        CADRES | {"other_township_cadre", "partner"},
        args=pk_of("partner"),
        target=all_rows("assistance.PartnerOffer"),
    ),
    "offer-edit": form(
        CADRES | {"other_township_cadre", "partner"}, args=pk_of("offer"), target=rows_of("offer")
    ),
    # dashboards and spreadsheets
    # the audit trail: county officers and auditors, each of their own county
    "audit-list": Entry(readers=frozenset({"county_officer", "auditor", "other_county_officer"})),
    "dashboard": Entry(
        readers=CADRES | OTHERS | {"auditor"}, queries=(BY_REGION, query("?region={county}"))
    ),
    # The task list (worklist): everyone signed in reads their own, empty for those no kind of
    # task falls to yet; an area outside the persona's region is a 400 that names nothing.
    # Households' own reports (self_reports/). The public pages take no login: anyone reads a
    # village's page and sends to it (an empty form is answered with its errors, nothing
    # written); a village is named by its code for a visitor from anywhere, so no scope applies.
    "public-report": Entry(
        readers=ANYONE,
        writers=ANYONE,
        methods=("GET", "POST"),
        args=public_village,
        target=all_rows("self_reports.SelfReport"),
    ),
    "public-report-code": post(
        ANYONE, args=public_village, target=all_rows("self_reports.PhoneCode")
    ),
    "public-report-status": form(ANYONE, target=all_rows("self_reports.SelfReport")),
    # The cadres' side: the reports of their region, accepted and decided by field staff; the
    # village's poster (its QR code) for those who read the reports of the village.
    "own-report-list": Entry(readers=LISTS),
    "own-report-detail": Entry(readers=READERS, args=pk_of("self_report")),
    "own-report-accept": post(
        FIELD,
        args=pk_of("self_report"),
        target=rows_of("self_report"),
        body=versioned("self_report"),
    ),
    "own-report-decide": post(
        FIELD,
        args=pk_of("self_report"),
        target=rows_of("self_report"),
        body=versioned("self_report", note="核实后不符合条件"),
    ),
    "own-report-poster": Entry(readers=READERS, args=village_code_of_scope),
    # Household development plans (development/): village workers and township cadres draft and
    # review them, township cadres record the agreement and close them; the county and auditors
    # read them and the household's card; partners see none.
    "plan-create": form(
        PLAN_DRAFTERS, args=pk_of("household"), target=all_rows("development.DevelopmentPlan")
    ),
    "plan-detail": Entry(readers=READERS, args=pk_of("plan")),
    "plan-goal": form(PLAN_DRAFTERS, args=pk_of("plan"), target=all_rows("development.PlanGoal")),
    "plan-commitment": form(
        PLAN_DRAFTERS, args=pk_of("plan"), target=all_rows("development.PlanCommitment")
    ),
    "plan-agree": form(PLAN_AGREERS, args=pk_of("plan"), target=rows_of("plan")),
    "plan-review": form(
        PLAN_DRAFTERS, args=pk_of("plan"), target=all_rows("development.PlanReview")
    ),
    "plan-close": form(PLAN_AGREERS, args=pk_of("plan"), target=rows_of("plan")),
    "household-card": Entry(readers=READERS, args=pk_of("household")),
    "task-list": Entry(readers=SIGNED_IN, queries=(BY_REGION, query("?region={county}"))),
    # The outcomes of assistance (outcomes/): cadres and auditors, each of their own region; a
    # region outside it is a 404 (the API: a 400 that names nothing).
    "outcomes": Entry(
        readers=CADRES | OTHERS | {"auditor"}, queries=(BY_REGION, query("?region={county}"))
    ),
    "registry-import": form(FIELD | OTHERS, target=all_rows("spreadsheets.ImportJob")),
    # An import job is its uploader's alone: a colleague of the same township gets 404 too.
    "registry-import-job": Entry(readers=IMPORT_OWNER, args=pk_of("import_job")),
    "registry-import-job-confirm": post(
        IMPORT_OWNER, args=pk_of("import_job"), target=rows_of("import_job")
    ),
    "registry-import-job-cancel": post(
        IMPORT_OWNER, args=pk_of("import_job"), target=rows_of("import_job")
    ),
    "registry-template": Entry(readers=FIELD | OTHERS),
    # A long list's export is its asker's alone, as an import job is: a colleague gets 404 too.
    # The world's is ready but its file swept, so the download answers with the job's page
    # (a POST: each download is recorded).
    "list-export-job": Entry(readers=EXPORT_OWNER, args=pk_of("export_job")),
    "list-export-download": post(
        EXPORT_OWNER, args=pk_of("export_job"), target=all_rows("audit.ExportEvent")
    ),
    # An export is recorded, so it is a POST, with the list's filters in the query string.
    # Civil affairs' roster (民政名单): townships and counties import, act and export, each in
    # their own region; auditors read. An empty import form is answered with its errors.
    "civil-affairs-roster-import": form(
        CADRES | OTHERS, target=all_rows("assistance.CivilAffairsRoster")
    ),
    "civil-affairs-roster-export": post(
        CADRES, args=pk_of("roster"), target=all_rows("audit.ExportEvent")
    ),
    "list-export": post(
        LISTS,
        writers_by_variant={"measures": LISTS | {"partner"}, "partners": LISTS | {"partner"}},
        target=all_rows("audit.ExportEvent"),
        variants=tuple(
            {"kind": kind}
            for kind in ("households", "visits", "alerts", "cases", "measures", "partners")
        ),
        queries=(BY_HOUSEHOLD, BY_VILLAGE),
    ),
}


def api(readers, writers=NOBODY, methods=("GET",), **extra) -> Entry:
    return Entry(
        readers=frozenset(readers),
        writers=frozenset(writers),
        methods=methods,
        kind="api",
        **extra,
    )


API_LISTS = LISTS | API
API_READERS = READERS | API
STEP_WRITERS = {
    "notice-result": VILLAGE_STEP,
    "elimination": frozenset({"village_worker", "township_cadre"}),
}
CASE_STEPS = (
    "consent",
    "county-approval",
    "deliberation",
    "elimination",
    "home-verification",
    "info-check",
    "notice",
    "notice-result",
    "township-review",
)

API_ENTRIES: dict[str, Entry] = {
    # The schema and its page hold no data, but the schema is a megabyte to render: signed-in
    # users and API clients only (anonymous: 401); the Swagger page is a browser's, for a session.
    "api-schema": api(SIGNED_IN | API),
    "api-docs": Entry(readers=SIGNED_IN),
    "v1:api-root": api(SIGNED_IN | API),
    "v1:token-login": api(NOBODY, ANYONE, methods=("POST",)),
    "v1:token-revoke": api(NOBODY, API, methods=("POST",)),
    "v1:task-list": api(SIGNED_IN | API, queries=(BY_REGION, query("?region={county}"))),
    "v1:outcomes": api(
        CADRES | OTHERS | {"auditor"} | API, queries=(BY_REGION, query("?region={county}"))
    ),
    "v1:outcome-cases": api(
        CADRES | OTHERS | {"auditor"} | API, queries=(BY_REGION, query("?region={county}"))
    ),
    "v1:region-list": api(API_LISTS),
    "v1:region-detail": api(API_READERS, args=pk_of("village", "code")),
    "v1:household-list": api(
        API_LISTS,
        FIELD | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("households.Household"),
        queries=(BY_VILLAGE, query("?number={number}")),
    ),
    "v1:household-detail": api(
        API_READERS,
        FIELD,
        methods=("GET", "PATCH", "DELETE"),
        method_writers={"DELETE": NOBODY},
        args=pk_of("household"),
        target=rows_of("household"),
    ),
    "v1:household-unmask": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        args=pk_of("household"),
        body=REASON,
        target=all_rows("households.SensitiveAccess"),
    ),
    "v1:household-life-events": api(API_READERS, args=pk_of("household")),
    "v1:household-split": api(
        NOBODY,
        FIELD,
        methods=("POST",),
        args=pk_of("household"),
        target=all_rows("households.Household"),
    ),
    "v1:household-merge": api(
        NOBODY, FIELD, methods=("POST",), args=pk_of("household"), target=rows_of("household")
    ),
    "v1:member-move": api(
        NOBODY, FIELD, methods=("POST",), args=pk_of("head"), target=rows_of("head")
    ),
    "v1:member-list": api(
        API_LISTS,
        FIELD | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("households.Member"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:member-lookup": api(NOBODY, API_LISTS, methods=("POST",)),
    "v1:member-detail": api(
        API_READERS,
        FIELD,
        methods=("GET", "PATCH", "DELETE"),
        method_writers={"DELETE": NOBODY},
        args=pk_of("head"),
        target=rows_of("head"),
    ),
    "v1:visit-list": api(
        API_LISTS,
        FIELD | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("monitoring.Visit"),
        queries=(BY_HOUSEHOLD, BY_VILLAGE),
    ),
    "v1:visit-detail": api(API_READERS, args=pk_of("visit")),
    "v1:self-report-list": api(
        NOBODY, FIELD | OTHERS, methods=("POST",), target=all_rows("monitoring.Alert")
    ),
    "v1:pairing-list": api(
        LISTS,
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("pairings.Pairing"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:pairing-detail": api(READERS, args=pk_of("pairing")),
    "v1:pairing-end": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        body={"end_reason": "rotation"},
        args=pk_of("pairing"),
        target=rows_of("pairing"),
    ),
    # The contact log's free text: field staff and auditors, never partners nor API clients.
    "v1:contact-list": api(
        LISTS,
        FIELD | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("pairings.Contact"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:contact-detail": api(READERS, args=pk_of("contact")),
    # Development plans: read by field staff, auditors and department systems; written through
    # their actions by the roles that draft, agree and close them.
    "v1:plan-list": api(
        API_LISTS,
        PLAN_DRAFTERS | {"other_township_cadre"},
        methods=("GET", "POST"),
        target=all_rows("development.DevelopmentPlan"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:plan-detail": api(API_READERS, args=pk_of("plan")),
    "v1:plan-goals": api(
        NOBODY, PLAN_DRAFTERS, methods=("POST",), args=pk_of("plan"), target=rows_of("plan")
    ),
    "v1:plan-commitments": api(
        NOBODY, PLAN_DRAFTERS, methods=("POST",), args=pk_of("plan"), target=rows_of("plan")
    ),
    "v1:plan-agree": api(
        NOBODY, PLAN_AGREERS, methods=("POST",), args=pk_of("plan"), target=rows_of("plan")
    ),
    "v1:plan-review": api(
        NOBODY,
        PLAN_DRAFTERS,
        methods=("POST",),
        args=pk_of("plan"),
        target=all_rows("development.PlanReview"),
    ),
    "v1:plan-close": api(
        NOBODY, PLAN_AGREERS, methods=("POST",), args=pk_of("plan"), target=rows_of("plan")
    ),
    "v1:alert-list": api(API_LISTS, queries=(BY_HOUSEHOLD, BY_VILLAGE)),
    "v1:alert-detail": api(API_READERS, args=pk_of("alert")),
    **{
        f"v1:alert-{action}": api(
            NOBODY, CADRES, methods=("POST",), args=pk_of("alert"), target=rows_of("alert")
        )
        for action in ("assign", "confirm", "dismiss")
    },
    # Several warnings at once: a cadre of another place passes the role check, and the home
    # warnings are skipped as unknown to them (tests/monitoring/test_bulk_actions.py).
    **{
        f"v1:alert-{action}": api(
            NOBODY, CADRES | OTHERS, methods=("POST",), target=rows_of("alert")
        )
        for action in ("bulk-assign", "bulk-dismiss")
    },
    "v1:alert-verify": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        body=versioned("alert", result="true"),
        args=pk_of("alert"),
        target=rows_of("alert"),
    ),
    "v1:income-line-list": api(
        CADRES | OTHERS | {"auditor"} | API,
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("monitoring.IncomeLine"),
    ),
    "v1:standard-list": api(
        CADRES | OTHERS | {"auditor"} | API,
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("monitoring.AssistanceStandard"),
    ),
    # The measure catalogue: read by whoever reads cases (a partner does not); the county's own
    # measures added and changed by its officers (an empty body is answered with its errors).
    "v1:policy-measure-list": api(
        FIELD | OTHERS | {"auditor"} | API,
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("assistance.PolicyMeasure"),
    ),
    "v1:policy-measure-detail": api(
        FIELD | {"other_township_cadre", "auditor"} | API,
        COUNTY,
        methods=("GET", "PATCH"),
        args=pk_of("policy_measure"),
        target=rows_of("policy_measure"),
    ),
    "v1:civil-affairs-roster-list": api(CADRES | OTHERS | {"auditor"}),
    "v1:civil-affairs-roster-detail": api(CADRES | {"auditor"}, args=pk_of("roster")),
    "v1:civil-affairs-roster-lines": api(CADRES | {"auditor"}, args=pk_of("roster")),
    "v1:rule-list": api(
        CADRES | OTHERS | {"auditor"} | API,
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("monitoring.RuleConfig"),
    ),
    "v1:rule-defaults": api(CADRES | OTHERS | {"auditor"} | API),
    # The self-development capacity's weights, read and set as the rule settings are.
    "v1:capacity-weights-list": api(
        CADRES | OTHERS | {"auditor"} | API,
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("monitoring.CapacityWeights"),
    ),
    "v1:signal-list": api(
        CADRES | OTHERS | {"auditor"} | API,
        API,
        methods=("GET", "POST"),
        target=all_rows("monitoring.Signal"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:signal-detail": api(CADRES | {"auditor"} | API, args=pk_of("signal")),
    # The reviewers' figures; a sending system reads back its own signals' outcomes instead.
    "v1:signal-funnel": api(CADRES | OTHERS | {"auditor"}),
    "v1:signal-resolve": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        body={"resolution": "matrix"},
        args=pk_of("signal"),
        target=rows_of("signal"),
    ),
    "v1:area-event-list": api(LISTS),
    "v1:area-event-detail": api(READERS, args=pk_of("area_event")),
    "v1:area-event-tasks": api(READERS, args=pk_of("area_event")),
    "v1:area-event-close": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        body=versioned("area_event", note="matrix"),
        args=pk_of("area_event"),
        target=rows_of("area_event"),
    ),
    "v1:screening-task-screen": api(
        NOBODY,
        FIELD,
        methods=("POST",),
        body=versioned("screening_task", screening="affected", note="matrix"),
        args=pk_of("screening_task"),
        target=rows_of("screening_task"),
    ),
    "v1:scan-run-list": api(
        CADRES | OTHERS | {"auditor"},
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("monitoring.ScanRun"),
    ),
    # A county's webhooks and their delivery log; an empty POST is answered 400 and writes none.
    "v1:webhook-list": api(
        COUNTY | {"other_county_officer"},
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("monitoring.Webhook"),
    ),
    "v1:webhook-delivery-list": api(COUNTY | {"other_county_officer"}),
    # The world's run is over the whole county: a township sees the runs of its own scope only.
    "v1:scan-run-detail": api(COUNTY | {"auditor"}, args=pk_of("scan_run")),
    "v1:backtest-list": api(
        COUNTY | {"other_county_officer", "auditor"},
        COUNTY | {"other_county_officer"},
        methods=("GET", "POST"),
        target=all_rows("backtests.BacktestRun"),
    ),
    "v1:backtest-detail": api(COUNTY | {"auditor"}, args=pk_of("backtest_run")),
    # Proposing a case is the village's and the township's (assistance.propose_case).
    "v1:case-list": api(
        API_LISTS,
        frozenset({"village_worker", "township_cadre", "other_township_cadre"}),
        methods=("GET", "POST"),
        target=all_rows("assistance.Case"),
        queries=(BY_HOUSEHOLD, BY_VILLAGE),
    ),
    "v1:case-detail": api(
        API_READERS, CADRES, methods=("GET", "PATCH"), args=pk_of("case"), target=rows_of("case")
    ),
    **{
        f"v1:case-{step}": api(
            NOBODY,
            STEP_WRITERS.get(step, FIELD),
            methods=("POST",),
            body=STEP_BODY,
            # The world's case waits for the notice's result: any other step is refused (400)
            # as not waiting before the role is asked; on the waiting one, the role answers.
            input_first=NOBODY if step == "notice-result" else frozenset({"auditor", "api_client"}),
            args=pk_of("case"),
            target=rows_of("case"),
        )
        for step in CASE_STEPS
    },
    "v1:case-civil-affairs-refer": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        body={"kind": "dibao"},
        args=pk_of("case"),
        target=all_rows("assistance.CivilAffairsReferral"),
    ),
    "v1:case-civil-affairs-decision": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        body=CIVIL_AFFAIRS_DECISION,
        args=pk_of("case"),
        target=all_rows("assistance.CivilAffairsReferral"),
    ),
    "v1:case-eligibility": api(API_READERS, args=pk_of("case")),
    "v1:case-suggestions": api(API_READERS, args=pk_of("case")),
    # Counts of the reader's own region: everyone who reads cases, a partner never.
    "v1:case-overdue-steps": api(API_LISTS),
    "v1:delegation-list": api(
        FIELD | OTHERS | {"auditor"},
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("assistance.Delegation"),
    ),
    "v1:delegation-detail": api(FIELD | {"auditor"}, args=pk_of("delegation")),
    "v1:delegation-revoke": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        args=pk_of("delegation"),
        target=rows_of("delegation"),
    ),
    "v1:evidence-list": api(
        NOBODY,
        NOBODY,
        methods=("GET", "POST"),
        args=_owner_in_variant,
        variants=EVIDENCE_VARIANTS,
        readers_by_variant={kind: frozenset(EVIDENCE_READERS[kind]) for kind in EVIDENCE_KINDS},
        writers_by_variant={kind: frozenset(EVIDENCE_WRITERS[kind]) for kind in EVIDENCE_KINDS},
        target=all_rows("evidence.Evidence"),
    ),
    "v1:evidence-file": api(READERS | {"partner"}, args=evidence_of("measure")),
    # Read by everyone who may see the case (a department system not), and by the partner with a
    # measure on it; written by those who work it.
    "v1:case-comments": api(
        READERS | {"partner"},
        FIELD | {"partner"},
        methods=("GET", "POST"),
        args=pk_of("case"),
        target=all_rows("assistance.CaseComment"),
    ),
    "v1:measure-list": api(
        API_LISTS | {"partner"},
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("assistance.Measure"),
        queries=(BY_HOUSEHOLD, query("?case={case}")),
    ),
    "v1:measure-detail": api(
        API_READERS | {"partner"},
        CADRES,
        methods=("GET", "PATCH"),
        args=pk_of("measure"),
        target=rows_of("measure"),
    ),
    "v1:measure-delivery": api(
        NOBODY,
        CADRES | {"partner"},
        methods=("POST",),
        body=versioned("measure", status="in_progress"),
        args=pk_of("measure"),
        target=rows_of("measure"),
    ),
    **{
        f"v1:measure-{action}": api(
            NOBODY,
            {"partner"},
            methods=("POST",),
            body=DECLINE,
            args=pk_of("measure"),
            target=rows_of("measure"),
        )
        for action in ("accept", "decline")
    },
    "v1:need-list": api(
        API_LISTS | {"partner"},
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("assistance.Need"),
    ),
    "v1:need-detail": api(API_READERS | {"partner"}, args=pk_of("need")),
    "v1:need-claim": api(
        NOBODY, {"partner"}, methods=("POST",), args=pk_of("need"), target=rows_of("need")
    ),
    **{
        f"v1:need-{action}": api(
            NOBODY,
            CADRES,
            methods=("POST",),
            body=versioned("need"),
            args=pk_of("need"),
            target=rows_of("need"),
        )
        for action in ("confirm", "withdraw")
    },
    "v1:partner-list": api(
        API_LISTS | {"partner"},
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("assistance.Partner"),
    ),
    "v1:partner-detail": api(
        API_READERS | {"partner", "other_township_cadre"},
        CADRES | {"other_township_cadre"},
        methods=("GET", "PATCH"),
        args=pk_of("partner"),
        target=rows_of("partner"),
    ),
    "v1:partner-offer-list": api(
        API_LISTS | {"partner"},
        CADRES | OTHERS | {"partner"},
        methods=("GET", "POST"),
        target=all_rows("assistance.PartnerOffer"),
    ),
    "v1:partner-offer-detail": api(
        API_READERS | {"partner", "other_township_cadre"},
        CADRES | {"other_township_cadre", "partner"},
        methods=("GET", "PATCH"),
        args=pk_of("offer"),
        target=rows_of("offer"),
    ),
    # livelihoods: field staff record work (API clients too) and see their region's; townships
    # and counties keep posts, links and claims; a partner sees and pays its own links only.
    "household-livelihood": Entry(readers=READERS, args=pk_of("household")),
    "work-month": form(FIELD, args=pk_of("household"), target=all_rows("livelihoods.WorkRecord")),
    "welfare-post-create": form(
        CADRES, args=pk_of("household"), target=all_rows("livelihoods.WelfarePost")
    ),
    "insurance-claim-create": form(
        CADRES, args=pk_of("household"), target=all_rows("livelihoods.InsuranceClaim")
    ),
    "continuing-measures": Entry(readers=LISTS),
    "work-import": form(FIELD | OTHERS, target=all_rows("livelihoods.WorkRecord")),
    "welfare-post-edit": form(CADRES, args=pk_of("welfare_post"), target=rows_of("welfare_post")),
    "post-payment-create": form(
        CADRES, args=pk_of("welfare_post"), target=all_rows("livelihoods.PostPayment")
    ),
    "industry-support-create": form(
        CADRES, args=pk_of("household"), target=all_rows("livelihoods.IndustrySupport")
    ),
    "industry-support-edit": form(
        CADRES, args=pk_of("industry_support"), target=rows_of("industry_support")
    ),
    "industry-payment-create": form(
        CADRES | {"partner"},
        args=pk_of("industry_support"),
        target=all_rows("livelihoods.IndustryPayment"),
    ),
    "insurance-claim-decide": form(
        CADRES, args=pk_of("insurance_claim"), target=rows_of("insurance_claim")
    ),
    "partner-links": Entry(readers=LISTS | {"partner"}),
    "v1:work-record-list": api(
        API_LISTS,
        FIELD | OTHERS | API,
        methods=("GET", "POST"),
        target=all_rows("livelihoods.WorkRecord"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:work-record-detail": api(
        API_READERS,
        FIELD,
        methods=("GET", "PATCH"),
        args=pk_of("work_record"),
        target=rows_of("work_record"),
    ),
    "v1:welfare-post-list": api(
        LISTS,
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("livelihoods.WelfarePost"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:welfare-post-detail": api(
        READERS,
        CADRES,
        methods=("GET", "PATCH"),
        args=pk_of("welfare_post"),
        target=rows_of("welfare_post"),
    ),
    "v1:welfare-post-payments": api(
        READERS,
        CADRES,
        methods=("GET", "POST"),
        args=pk_of("welfare_post"),
        target=all_rows("livelihoods.PostPayment"),
    ),
    "v1:industry-support-list": api(
        LISTS | {"partner"},
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("livelihoods.IndustrySupport"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:industry-support-detail": api(
        READERS | {"partner"},
        CADRES,
        methods=("GET", "PATCH"),
        args=pk_of("industry_support"),
        target=rows_of("industry_support"),
    ),
    "v1:industry-support-payments": api(
        READERS | {"partner"},
        CADRES | {"partner"},
        methods=("GET", "POST"),
        args=pk_of("industry_support"),
        target=all_rows("livelihoods.IndustryPayment"),
    ),
    "v1:insurance-claim-list": api(
        LISTS,
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("livelihoods.InsuranceClaim"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:insurance-claim-detail": api(READERS, args=pk_of("insurance_claim")),
    "v1:insurance-claim-decide": api(
        NOBODY,
        CADRES,
        methods=("POST",),
        args=pk_of("insurance_claim"),
        target=rows_of("insurance_claim"),
    ),
}


# The admin: every registered ModelAdmin's views, and the site's own pages. County officers are
# staff; the admin must show them their county only, like every other door.
ADMIN_OBJECTS = {
    "households.household": "household",
    "households.member": "head",
    "households.region": "village",
    "households.sensitiveaccess": "access",
    "monitoring.visit": "visit",
    "monitoring.alert": "alert",
    "monitoring.signal": "signal",
    "monitoring.scanrun": "scan_run",
    "monitoring.incomeline": "income_line",
    "monitoring.assistancestandard": "standard",
    "assistance.policymeasure": "policy_measure",
    "monitoring.ruleconfig": "rule",
    "monitoring.capacityweights": "capacity_weights",
    "monitoring.visitcadence": "cadence",
    "pairings.pairingpolicy": "pairing_policy",
    "assistance.referralpolicy": "referral_policy",
    "assistance.case": "case",
    "assistance.measure": "measure",
    "assistance.partner": "partner",
    "assistance.partneroffer": "offer",
    "assistance.need": "need",
    "accounts.user": "cadre_user",
}
STAFF = frozenset({"county_officer", "other_county_officer"})
# admin_view sends everyone who is not staff to the admin's login before any view runs: two of
# them stand for the rest on every admin URL, which keeps the matrix to a few thousand requests.
ADMIN_NON_STAFF = frozenset({"anonymous", "village_worker"})
# What a county officer's role lets them do in the admin (everything else is refused to staff).
ADMIN_VIEWS = {label for label in ADMIN_OBJECTS if label != "accounts.user"}
# Through their services.
ADMIN_CHANGES = {
    "monitoring.incomeline",
    "monitoring.assistancestandard",
    "assistance.policymeasure",
    "monitoring.ruleconfig",
    "monitoring.capacityweights",
    "monitoring.visitcadence",
    "pairings.pairingpolicy",
    "assistance.referralpolicy",
}


def admin_entries() -> dict[str, Entry]:
    apps_with_views = {label.split(".")[0] for label in ADMIN_VIEWS}
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    entries = {
        "admin:index": Entry(readers=STAFF, kind="admin"),
        "admin:login": Entry(readers=ANYONE, kind="admin"),
        "admin:logout": post(NOBODY, kind="admin"),
        "admin:password_change": Entry(readers=STAFF, kind="admin"),
        "admin:password_change_done": Entry(readers=STAFF, kind="admin"),
        "admin:autocomplete": Entry(readers=NOBODY, kind="admin"),
        "admin:jsi18n": Entry(readers=STAFF, kind="admin"),
        "admin:view_on_site": Entry(
            readers=NOBODY,
            kind="admin",
            args=lambda w, s: {
                "content_type_id": w.content_type_of("household"),
                "object_id": w.scope(s).household.pk,
            },
        ),
        "admin:app_list": Entry(
            readers=NOBODY,
            readers_by_variant={label: STAFF for label in apps_with_views},
            kind="admin",
            variants=tuple({"app_label": label} for label in labels),
        ),
        "admin/(?P<url>.*)$": Entry(
            readers=NOBODY, kind="admin", url=lambda w, s: "/admin/no-such-page/"
        ),
        "admin:auth_user_password_change": form(
            NOBODY, kind="admin", args=lambda w, s: {"id": w.scope(s).cadre_user.pk}
        ),
        "admin:otp_totp_totpdevice_config": Entry(
            readers=NOBODY, kind="admin", args=extra_object("otp_totp.totpdevice", "pk")
        ),
        "admin:otp_totp_totpdevice_qrcode": Entry(
            readers=NOBODY, kind="admin", args=extra_object("otp_totp.totpdevice", "pk")
        ),
    }
    for model in admin.site._registry:
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        attribute = ADMIN_OBJECTS.get(label)
        args = pk_of(attribute, "object_id") if attribute else extra_object(label)
        target = rows_of(attribute) if attribute else None
        viewer = COUNTY if label in ADMIN_VIEWS else NOBODY
        changer = COUNTY if label in ADMIN_CHANGES else NOBODY
        entries[f"{prefix}_changelist"] = Entry(
            readers=STAFF if label in ADMIN_VIEWS else NOBODY, kind="admin"
        )
        entries[f"{prefix}_add"] = form(
            STAFF if label in ADMIN_CHANGES else NOBODY, kind="admin", target=all_rows(label)
        )
        entries[f"{prefix}_change"] = form(viewer, changer, kind="admin", args=args, target=target)
        entries[f"{prefix}_history"] = Entry(readers=viewer, kind="admin", args=args)
        entries[f"{prefix}_delete"] = form(NOBODY, kind="admin", args=args, target=target)
        # The old /admin/<app>/<model>/<id>/ address only redirects to the change page.
        entries[f"admin/{label.replace('.', '/')}/<path:object_id>/"] = Entry(
            readers=STAFF,
            kind="admin",
            url=lambda w, s, label=label, args=args: (
                f"/admin/{label.replace('.', '/')}/{args(w, s)['object_id']}/"
            ),
        )
    # Deadline profiles and the holiday calendar (docs/cases.md): national rows, the same for
    # both scopes. Both county officers read the profiles and set their own county's (the
    # world's object is the national profile, which neither may change); both enter calendar
    # days. An empty form is answered with its errors (through), and nothing is written.
    for label, changers in (("deadlineprofile", NOBODY), ("calendarday", STAFF)):
        prefix = f"admin:assistance_{label}"
        args = extra_object(f"assistance.{label}")
        target = all_rows(f"assistance.{label}")
        entries[f"{prefix}_changelist"] = Entry(readers=STAFF, kind="admin")
        entries[f"{prefix}_add"] = form(STAFF, kind="admin", target=target)
        entries[f"{prefix}_change"] = form(STAFF, changers, kind="admin", args=args, target=target)
        entries[f"{prefix}_history"] = Entry(readers=STAFF, kind="admin", args=args)
    return entries


def extra_object(label: str, key: str = "object_id") -> Args:
    """An object of a model outside the two scopes (a group, a token, a device): the same one."""

    def build(world: World, scope: str) -> dict:
        return {key: world.extra[label].pk}

    return build


# Micro-credit (livelihoods/): townships and counties record loans; field staff and the API
# record payments; auditors read. The bodies are empty (400 for those let through) but for
# the report of an overdue loan, which the scope's loan (disbursed months ago, unpaid) is.
CREDIT_ENTRIES: dict[str, Entry] = {
    "loan-page": Entry(readers=READERS, args=pk_of("loan")),
    "loan-pay": post(FIELD, args=pk_of("loan"), target=rows_of("loan")),
    "loan-mark-overdue": post(FIELD, args=pk_of("loan"), target=rows_of("loan")),
    "loan-extend": post(CADRES, args=pk_of("loan"), target=rows_of("loan")),
    "loan-write-off": post(CADRES, args=pk_of("loan"), target=rows_of("loan")),
    "loan-create": form(CADRES, args=pk_of("household"), target=all_rows("livelihoods.MicroLoan")),
    "v1:loan-list": api(
        API_LISTS,
        CADRES | OTHERS,
        methods=("GET", "POST"),
        target=all_rows("livelihoods.MicroLoan"),
        queries=(BY_HOUSEHOLD,),
    ),
    "v1:loan-detail": api(API_READERS, args=pk_of("loan")),
    "v1:loan-payments": api(
        API_READERS,
        FIELD | API,
        methods=("GET", "POST"),
        args=pk_of("loan"),
        target=all_rows("livelihoods.LoanPayment"),
    ),
    "v1:loan-mark-overdue": api(
        NOBODY, FIELD | API, methods=("POST",), args=pk_of("loan"), target=rows_of("loan")
    ),
    "v1:loan-extend": api(
        NOBODY, CADRES, methods=("POST",), args=pk_of("loan"), target=rows_of("loan")
    ),
    "v1:loan-write-off": api(
        NOBODY, CADRES, methods=("POST",), args=pk_of("loan"), target=rows_of("loan")
    ),
}

ENTRIES: dict[str, Entry] = {**PAGES, **API_ENTRIES, **CREDIT_ENTRIES, **admin_entries()}


# --- the URLconf, walked -----------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def urlconf_keys() -> set[str]:
    """One key per URL name (format-suffix twins share their name), or the route if unnamed."""
    return {key for key, _ in _walk(get_resolver())}


def test_every_url_has_an_entry():
    missing = sorted(urlconf_keys() - set(ENTRIES))
    assert not missing, f"URLs without an authorization matrix entry: {missing}"


def test_every_entry_names_a_url():
    stale = sorted(set(ENTRIES) - urlconf_keys())
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


# --- one request, judged -----------------------------------------------------------------------


LOGIN_PATHS = (resolve_url(settings.LOGIN_URL), "/admin/login/")


def outcome(response) -> str:
    """'error', 'refused' or 'through' (authorization passed; the input may still be refused)."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "refused"
    if status in (301, 302):
        location = response.get("Location", "")
        if location.startswith(LOGIN_PATHS) or location in ("/admin/", reverse("admin:index")):
            return "refused"
    return "through"


def url_for(key: str, entry: Entry, world: World, scope: str, variant: int = 0) -> str:
    if entry.url is not None:
        return entry.url(world, scope)
    # A variant's value may be built for the scope (an owner's id, for its kind).
    built = {
        name: value(world, scope) if callable(value) else value
        for name, value in entry.variants[variant].items()
    }
    url = reverse(key, kwargs={**entry.args(world, scope), **built})
    return url + (entry.params(world, scope) if entry.params else "")


def send(client, method: str, url: str, entry: Entry, world: World, scope: str):
    if method == "GET":
        return client.get(url)
    body = entry.body(world, scope) if callable(entry.body) else entry.body
    if entry.kind == "api":
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    return client.generic(
        method, url, urlencode(body), content_type="application/x-www-form-urlencoded"
    )


def assert_nothing_of_other_scopes(
    world: World, persona: str, text: str, where: str, outside_markers: list[str] | None = None
) -> None:
    for scope_name, viewers in SCOPE_VIEWERS.items():
        if persona in viewers:
            continue
        markers = world.scope(scope_name).markers
        if scope_name == "outside" and outside_markers is not None:
            markers = outside_markers
        for marker in markers:
            assert marker not in text, f"{where}: {persona} sees {marker!r} of the {scope_name}"


def assert_refused_properly(response, persona: str, entry: Entry, where: str) -> None:
    status = response.status_code
    if persona == "anonymous" and entry.kind == "api":
        assert status == 401, f"{where}: anonymous got {status}, not 401"
    elif persona == "anonymous" or (persona == "api_client" and entry.kind != "api"):
        assert status in (302, 401, 403, 404), f"{where}: {status} for {persona}"
    assert outcome(response) == "refused", f"{where}: {persona} got {status}"


def snapshot(entry: Entry, world: World, scope: str):
    if entry.target is None:
        return None
    return [sorted(row.items()) for row in entry.target(world, scope).order_by("pk").values()]


def _variant_id(entry: Entry, variant: int) -> str:
    return "".join(
        f"[{value}]" for value in entry.variants[variant].values() if not callable(value)
    )


def _cases():
    for key in sorted(ENTRIES):
        entry = ENTRIES[key]
        for variant in range(len(entry.variants)):
            for method in entry.methods:
                for persona in PERSONAS:
                    if entry.kind == "admin" and persona not in STAFF | ADMIN_NON_STAFF:
                        continue  # the admin sends non-staff to its login before any view
                    if entry.kind == "admin" and method != "GET" and persona not in STAFF:
                        continue
                    name = f"{key}{_variant_id(entry, variant)}-{persona}-{method}"
                    yield pytest.param(key, variant, persona, method, id=name)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "variant", "persona", "method"), list(_cases()))
def test_persona_on_the_home_object(
    world: World, key: str, variant: int, persona: str, method: str
):
    entry = ENTRIES[key]
    url = url_for(key, entry, world, "home", variant)
    where = f"{method} {url}"
    before = snapshot(entry, world, "home")
    response = send(world.client(persona), method, url, entry, world, "home")
    assert outcome(response) != "error", f"{where}: {response.status_code} for {persona}"
    assert_nothing_of_other_scopes(world, persona, body_text(response), where)
    allowed = entry.allowed(method, variant)
    if persona in allowed:
        assert outcome(response) == "through", (
            f"{where}: {persona} refused ({response.status_code})"
        )
    else:
        if not (persona in entry.input_first and response.status_code == 400):
            assert_refused_properly(response, persona, entry, where)
        if method != "GET":
            assert snapshot(entry, world, "home") == before, f"{where}: {persona} changed rows"


def _outsiders(entry: Entry, method: str, variant: int) -> list[str]:
    """Who would get through on the home object, and so is stopped by scope alone out there."""
    passing = entry.allowed(method, variant) | entry.input_first
    return [p for p in PERSONAS if p in passing and p not in SCOPE_VIEWERS["outside"]]


def _outside_cases():
    for key in sorted(ENTRIES):
        entry = ENTRIES[key]
        for variant in range(len(entry.variants)):
            name = f"{key}{_variant_id(entry, variant)}"
            if entry.takes_object:
                for method in entry.methods:
                    for persona in _outsiders(entry, method, variant):
                        yield pytest.param(
                            key, variant, persona, method, None, id=f"{name}-{persona}-{method}"
                        )
            # A list's filters are read by its first method (GET; POST for an export).
            method = entry.methods[0]
            for index, _ in enumerate(entry.queries):
                for persona in _outsiders(entry, method, variant):
                    yield pytest.param(
                        key, variant, persona, method, index, id=f"{name}-{persona}-query{index}"
                    )


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "variant", "persona", "method", "query"), list(_outside_cases()))
def test_persona_on_the_outside_object(
    world: World, key: str, variant: int, persona: str, method: str, query: int | None
):
    """Another county's object, reached by its id or by a list's filter: refused or absent."""
    entry = ENTRIES[key]
    url = url_for(key, entry, world, "outside", variant)
    if query is not None:
        url += entry.queries[query](world, "outside")
    where = f"{method} {url}"
    before = snapshot(entry, world, "outside")
    response = send(world.client(persona), method, url, entry, world, "outside")
    assert outcome(response) != "error", f"{where}: {response.status_code} for {persona}"
    # What the persona typed comes back in the search box: only the rest must stay hidden.
    asked = set(world.outside.markers) if query is None else set()
    hidden = [m for m in world.outside.markers if m in asked or m not in url]
    assert_nothing_of_other_scopes(world, persona, body_text(response), where, hidden)
    if query is None and not (persona in entry.input_first and response.status_code == 400):
        assert_refused_properly(response, persona, entry, where)
    # A list's filter aimed outside is the persona's own list, narrowed to nothing: an export of
    # it is recorded like any other. Only a request for an outside object must change nothing.
    if method != "GET" and query is None:
        assert snapshot(entry, world, "outside") == before, f"{where}: {persona} changed rows"
