"""Reads of cases, measures and partners, scoped once here for pages, the API and the admin.

Cases and measures follow their household's region. A partner user sees only the measures given
to its own partner. Partners are seen by cadres whose region they serve or lie in.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import FIELD_STAFF_ROLES, Role, User
from accounts.roles import ROLE_PERMISSIONS
from assistance.catalogue import Suggestion
from assistance.models import (
    REFERRAL_DAYS,
    RETURNED_REFERRALS,
    CalendarDay,
    Case,
    CaseCategory,
    CaseComment,
    CaseMention,
    CaseStatus,
    CaseStep,
    CivilAffairsDecision,
    CivilAffairsKind,
    CivilAffairsReferral,
    CivilAffairsRoster,
    CivilAffairsRosterEntry,
    DayUnit,
    DeadlineProfile,
    Delegation,
    Measure,
    MeasureKind,
    MeasureStatus,
    Need,
    NeedStatus,
    OfferKind,
    Partner,
    PartnerOffer,
    Phase,
    PolicyMeasure,
    ReferralPolicy,
    ReferralStatus,
    RiskType,
    StepKind,
)
from assistance.steps import PHASE_STEPS, Limit
from core.masking import mask_phone
from core.regions import ancestors_of, nearest_first
from core.scope import Scope
from households.hub import shared_read
from households.models import Household, Member
from households.selectors import (
    id_number_search,
    looks_like_id_number,
    members_visible_to,
    number_search,
    query_text,
    under_region,
)
from monitoring.engine.facts import WITH_LABOUR

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class NextStep(TypedDict):
    """What cases_with_next_step adds to each case."""

    next_step: str | None
    next_due_on: datetime.date | None


def _in_or_above(scope: Scope, path: str) -> Q:
    """Rows whose area (a Region at `path`) is the scope's region, under it or above it."""
    return scope.q(f"{path}__code") | Q(**{f"{path}__code__in": scope.regions_above()})


def cases_visible_to(user) -> QuerySet[Case]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("assistance.view_case"):
        return Case.objects.none()
    return Case.objects.filter(scope.q("village__code"))


def household_cases_for(user, household: Household) -> list[Case]:
    """The household's cases the viewer may read, the latest proposed first, read once for the
    household's page (households.hub.shared_read): its timeline and its outcome block ask for
    them. A household has a handful at most."""
    return shared_read(
        user,
        household,
        "cases",
        lambda: list(
            cases_visible_to(user).filter(household=household).order_by("-proposed_on", "-id")
        ),
    )


def case_get(*, user, pk) -> Case:
    try:
        return (
            cases_visible_to(user)
            .select_related("household__village__parent", "proposed_by", "responsible", "alert")
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_history(case: Case) -> QuerySet:
    """Every recorded change of the case, its steps and its measures, newest first."""
    import pghistory.models

    return pghistory.models.Events.objects.references(case).order_by("-pgh_created_at")


def current_steps() -> QuerySet[CaseStep]:
    """The undecided steps of each open case's running phase and round."""
    return CaseStep.objects.filter(decision="").filter(
        Q(case__status=CaseStatus.IDENTIFYING, phase=Phase.IDENTIFICATION)
        | Q(
            case__status=CaseStatus.ELIMINATING,
            phase=Phase.ELIMINATION,
            round=F("case__elimination_round"),
        )
    )


def case_next_step(case: Case) -> CaseStep | None:
    return current_steps().filter(case=case).order_by("position").first()


def cases_with_next_step(
    queryset: QuerySet[Case],
) -> "QuerySet[WithAnnotations[Case, NextStep]]":
    """Annotate each case with the kind and due date of the step it waits for."""
    waiting = current_steps().filter(case=OuterRef("pk")).order_by("position")
    return queryset.annotate(
        next_step=Subquery(waiting.values("kind")[:1]),
        next_due_on=Subquery(waiting.values("due_on")[:1]),
    )


def _step_kinds(permission_given) -> set[str]:
    return {rule.kind for rules in PHASE_STEPS.values() for rule in rules if permission_given(rule)}


def cases_awaiting(
    user, *, as_of: datetime.date | None = None
) -> "QuerySet[WithAnnotations[Case, NextStep]]":
    """Open cases whose next step is one this user's role takes, or one delegated to the user in
    the case's village or township on `as_of` (today)."""
    waiting = Q(next_step__in=_step_kinds(lambda rule: user.has_perm(rule.permission)))
    delegated = delegations_covering(user, as_of or timezone.localdate()).values_list(
        "permission", "region_id"
    )
    for permission, region in delegated:
        kinds = _step_kinds(lambda rule, given=permission: rule.permission == given)
        waiting |= Q(next_step__in=kinds) & Scope.under(region).q("village__code")
    return cases_with_next_step(cases_visible_to(user)).filter(waiting)


def steps_awaiting(
    user,
    *,
    as_of: datetime.date | None = None,
    delegated: Iterable[tuple[str, str]] | None = None,
) -> QuerySet[CaseStep]:
    """The next step of each open case (its first undecided one) when this user takes it: the
    steps of `cases_awaiting`, one a case. `delegated`: the user's delegations in force as
    (permission, region) pairs, when the caller has read them already. Read from the undecided
    steps of the kinds the user takes, instead of working out every case's next step first: a
    county's twenty thousand cases would cost a subquery each."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("assistance.view_case"):
        return CaseStep.objects.none()
    mine = Q(kind__in=_step_kinds(lambda rule: user.has_perm(rule.permission)))
    if delegated is None:
        delegated = delegations_covering(user, as_of or timezone.localdate()).values_list(
            "permission", "region_id"
        )
    for permission, region in delegated:
        kinds = _step_kinds(lambda rule, given=permission: rule.permission == given)
        mine |= Q(kind__in=kinds) & Scope.under(region).q("case__village__code")
    # The current steps of a case share its running phase and round: the first undecided one
    # is the one with no undecided step before it in the same phase (and round, for the
    # elimination's; the identification's are current whatever their round). The step itself
    # is current, so the case need not be read again for it.
    earlier = CaseStep.objects.filter(
        Q(phase=Phase.IDENTIFICATION) | Q(round=OuterRef("round")),
        case=OuterRef("case"),
        decision="",
        phase=OuterRef("phase"),
        position__lt=OuterRef("position"),
    )
    return (
        current_steps().filter(scope.q("case__village__code")).filter(mine).exclude(Exists(earlier))
    )


def steps_overdue(user, *, as_of: datetime.date, params=None) -> QuerySet[CaseStep]:
    """Every step past its due date, in the user's region (or a region under it, and one kind of
    step, as the dashboard's links ask), the longest overdue first."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("assistance.view_case"):
        return CaseStep.objects.none()
    steps = current_steps()
    if params:
        steps = _region_param(steps, params, "case__village__code")
        if params.get("kind", "") in StepKind.values:
            steps = steps.filter(kind=params["kind"])
    return (
        steps.filter(scope.q("case__village__code"), due_on__lt=as_of)
        .select_related("case__household__village__parent")
        .order_by("due_on", "case_id", "position")
    )


def partners_visible_to(user) -> QuerySet[Partner]:
    if not user.is_authenticated or not user.has_perm("assistance.view_partner"):
        return Partner.objects.none()
    scope = Scope.of(user)
    if user.role == Role.PARTNER:
        return Partner.objects.filter(pk=scope.partner) if scope.partner else Partner.objects.none()
    if scope.sees_nothing:
        return Partner.objects.none()
    return Partner.objects.filter(_in_or_above(scope, "area"))


def partner_contact_phone(*, user, partner: Partner, listed: bool) -> str:
    """A partner's contact phone as this user may read it.

    The contact is often a person's own mobile rather than an office line. Lists (the page, the
    API, the export) show it masked to everyone; a single partner shows it in full to that
    partner's own users and to county officers, who arrange the partners' work, and masked to
    everyone else who may see the partner.
    """
    if not listed and (
        user.is_superuser
        or user.role == Role.COUNTY_OFFICER
        or (user.role == Role.PARTNER and user.partner_id == partner.pk)
    ):
        return partner.contact_phone
    return mask_phone(partner.contact_phone)


def partner_get(*, user, pk) -> Partner:
    try:
        return partners_visible_to(user).select_related("area").get(pk=pk)
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def offers_visible_to(user) -> QuerySet[PartnerOffer]:
    if not user.is_authenticated or not user.has_perm("assistance.view_partneroffer"):
        return PartnerOffer.objects.none()
    scope = Scope.of(user)
    if user.role == Role.PARTNER:
        return PartnerOffer.objects.filter(partner_id=scope.partner or 0)
    if scope.sees_nothing:
        return PartnerOffer.objects.none()
    return PartnerOffer.objects.filter(_in_or_above(scope, "area"))


def offer_get(*, user, pk) -> PartnerOffer:
    try:
        return offers_visible_to(user).select_related("partner", "area").get(pk=pk)
    except (PartnerOffer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def measures_visible_to(user) -> QuerySet[Measure]:
    if not user.is_authenticated or not user.has_perm("assistance.view_measure"):
        return Measure.objects.none()
    scope = Scope.of(user)
    if user.role == Role.PARTNER:
        return Measure.objects.filter(partner_id=scope.partner or 0)
    if scope.sees_nothing:
        return Measure.objects.none()
    return Measure.objects.filter(scope.q("case__village__code"))


def measure_get(*, user, pk) -> Measure:
    try:
        return (
            measures_visible_to(user)
            .select_related("case__household__village__parent", "partner", "responsible", "offer")
            .prefetch_related("members")
            .get(pk=pk)
        )
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def offers_matching_household(case: Case, *, as_of: datetime.date) -> QuerySet:
    """Offers open on the day whose area covers the case's household, the nearest first."""
    village = case.household.village_id
    covering = [*Scope.under(village).regions_above(), village]
    return (
        PartnerOffer.objects.filter(
            is_active=True,
            partner__is_active=True,
            area_id__in=covering,
            available_from__lte=as_of,
        )
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=as_of))
        .select_related("partner", "area")
        .order_by("-area_id", "available_until")
    )


# A measure holds a place of its offer unless it was stopped.
HOLDING = ~Q(measures__status="stopped")


def offers_matching(case: Case, *, as_of: datetime.date, offer_kinds: set[str]) -> QuerySet:
    """Open offers near the household whose kind fits the case's needs and that have a place
    left (an offer without a quantity never runs out)."""
    return (
        offers_matching_household(case, as_of=as_of)
        .filter(kind__in=offer_kinds)
        .annotate(taken=Count("measures", filter=HOLDING))
        .filter(Q(quantity__isnull=True) | Q(quantity__gt=F("taken")))
    )


# Work that leaves a member able to work (the rules' WITH_LABOUR) free for a job or training.
FREE_FOR_WORK = ("none", "farming")
WORK_OFFERS = {OfferKind.JOBS, OfferKind.TRAINING}


def policy_measures_for(village_code: str) -> QuerySet[PolicyMeasure]:
    """The measure catalogue a household of the village is offered: the national entries and
    those of the regions above the village (its county's own, its city's, its province's)."""
    return PolicyMeasure.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=nearest_first(village_code)),
        is_active=True,
    )


def suggestions_for(risk_types: list[str], village_code: str) -> list[Suggestion]:
    """The catalogue's measures for the risk types, in the order of the risk types, the national
    entries before the region's own, each (kind, title) once."""
    order = {risk_type: position for position, risk_type in enumerate(risk_types)}
    rows = sorted(
        policy_measures_for(village_code).filter(risk_type__in=risk_types),
        key=lambda row: (order[row.risk_type], row.region_id is not None, row.pk),
    )
    seen, result = set(), []
    for row in rows:
        national = row.region_id is None
        title = gettext(row.title) if national else row.title
        if (row.kind, title) in seen:
            continue
        seen.add((row.kind, title))
        result.append(
            Suggestion(
                kind=row.kind,
                title=title,
                offer_kinds=tuple(row.offer_kinds),
                department=row.department,
                typical_amount=row.typical_amount,
                national=national,
            )
        )
    return result


def case_suggestions(case: Case, *, as_of: datetime.date) -> tuple[list[Suggestion], QuerySet]:
    """Measures the catalogue suggests for the case's risk types, and open partner offers near
    the household that fit them. Jobs and training seats are offered when, and only when, a
    member able to work is without a job."""
    suggestions = suggestions_for(case.risk_types, case.household.village_id)
    kinds = {kind for suggestion in suggestions for kind in suggestion.offer_kinds}
    someone_free = Member.objects.filter(
        household_id=case.household_id,
        status=Member.Status.ACTIVE,
        labour__in=WITH_LABOUR,
        work__in=FREE_FOR_WORK,
    ).exists()
    kinds = kinds | WORK_OFFERS if someone_free else kinds - WORK_OFFERS
    return suggestions, offers_matching(case, as_of=as_of, offer_kinds=kinds)


CASE_TABS = ("awaiting", "open", "eliminating", "closed", "all")


def case_tab_default(user) -> str:
    """The tab the case list opens on: the cases waiting for the user, else the first tab with
    work in it (a township cadre whose next steps are the village's still has cases to follow),
    else "awaiting" (an empty list that says so)."""
    if cases_awaiting(user).exists():
        return "awaiting"
    visible = cases_visible_to(user)
    if visible.filter(status__in=(CaseStatus.IDENTIFYING, CaseStatus.ENROLLED)).exists():
        return "open"
    if visible.filter(status=CaseStatus.ELIMINATING).exists():
        return "eliminating"
    return "awaiting"


def case_tab(user, params) -> str:
    show = params.get("show", "")
    return show if show in CASE_TABS else case_tab_default(user)


def _household_search(queryset: QuerySet, query: str, *, path: str, id_number_hash: str = ""):
    """A list of a household's rows searched as the household list is: by the ID number's keyed
    hash, by the number's last digits (or its start), else by the head's name."""
    if id_number_hash:
        return id_number_search(queryset, id_number_hash, path=path)
    if looks_like_id_number(query):  # never searched from a query string (household_search)
        return queryset.none()
    if query.isdigit():
        return number_search(queryset, query, path=path)
    if query:
        return queryset.filter(**{f"{path}__head_name__contains": query})
    return queryset


def cases_listed(user, params, *, id_number_hash: str = "") -> QuerySet[Case]:
    """The case list as its page shows it: one tab (`show`, by default `case_tab_default`), a
    category and a search (the page and its Excel export read the same rows)."""
    show = case_tab(user, params)
    if show == "awaiting":
        cases = cases_awaiting(user)
    else:
        cases = cases_with_next_step(cases_visible_to(user))
        if show == "open":
            cases = cases.filter(status__in=(CaseStatus.IDENTIFYING, CaseStatus.ENROLLED))
        elif show == "eliminating":
            cases = cases.filter(status=CaseStatus.ELIMINATING)
        elif show == "closed":
            cases = cases.filter(status__in=(CaseStatus.ELIMINATED, CaseStatus.REJECTED))
    category = params.get("category", "")
    if category in CaseCategory.values:
        cases = cases.filter(category=category)
    cases = _household_search(
        cases, query_text(params, "q"), path="household", id_number_hash=id_number_hash
    )
    cases = _cases_drilled(cases, params)
    return cases.select_related("household__village", "responsible").order_by(
        "next_due_on", "-proposed_on", "-id"
    )


def _dates(params, *names: str) -> list[datetime.date | None]:
    """The ISO days among the parameters (None for one absent or unreadable)."""
    days: list[datetime.date | None] = []
    for name in names:
        try:
            days.append(datetime.date.fromisoformat(str(params.get(name) or "")))
        except ValueError:
            days.append(None)
    return days


def _region_param(queryset: QuerySet, params, path: str) -> QuerySet:
    region = str(params.get("region") or "")
    if region.isascii() and region.isdigit() and 2 <= len(region) <= 12:
        return queryset.filter(Scope.under(region).q(path))
    return queryset


def _cases_drilled(cases: QuerySet, params) -> QuerySet:
    """The filters the dashboard's links carry: a region, states, a risk type, the days a case
    was enrolled or its risk eliminated."""
    cases = _region_param(cases, params, "village__code")
    getlist = getattr(params, "getlist", None)
    statuses = getlist("status") if getlist else params.get("status", [])
    statuses = [status for status in statuses if status in CaseStatus.values]
    if statuses:
        cases = cases.filter(status__in=statuses)
    risk_type = params.get("risk_type", "")
    if risk_type in RiskType.values:
        cases = cases.filter(risk_types__contains=[risk_type])
    for field in ("enrolled_on", "eliminated_on"):
        start, end = _dates(params, f"{field[:-3]}_from", f"{field[:-3]}_to")
        if start:
            cases = cases.filter(**{f"{field}__gte": start})
        if end:
            cases = cases.filter(**{f"{field}__lte": end})
    return cases


def measures_listed(user, params, *, id_number_hash: str = "") -> QuerySet[Measure]:
    """A partner's measures to deliver; for cadres, every measure of their region."""
    measures = measures_visible_to(user).select_related(
        "case__household__village", "partner", "responsible"
    )
    status = params.get("status", "")
    if status in MeasureStatus.values:
        measures = measures.filter(status=status)
    if params.get("mine") and user.role != Role.PARTNER:
        measures = measures.filter(responsible=user)
    if params.get("returned"):
        # Declined or expired referrals: the cadres' to find another partner for.
        measures = measures.filter(referral_status__in=RETURNED_REFERRALS)
    measures = _household_search(
        measures, query_text(params, "q"), path="case__household", id_number_hash=id_number_hash
    )
    # The dashboard's and the partner home's links: a region, a kind, a partner, a referral's
    # answer, the days of delivery.
    measures = _region_param(measures, params, "case__village__code")
    kind = params.get("kind", "")
    if kind in MeasureKind.values:
        measures = measures.filter(kind=kind)
    partner = str(params.get("partner") or "")
    if partner.isascii() and partner.isdigit() and len(partner) < 12:
        measures = measures.filter(partner_id=int(partner))
    referral = params.get("referral", "")
    if referral and referral in ReferralStatus.values:
        measures = measures.filter(referral_status=referral)
    start, end = _dates(params, "delivered_from", "delivered_to")
    if start or end:
        measures = measures.annotate(delivered_on=Coalesce("actual_end", "actual_start"))
        if start:
            measures = measures.filter(delivered_on__gte=start)
        if end:
            measures = measures.filter(delivered_on__lte=end)
    return measures.order_by("status", "planned_start", "id")


def partners_listed(user, params) -> QuerySet[Partner]:
    partners = partners_visible_to(user).select_related("area")
    query = query_text(params, "q")
    if query:
        partners = partners.filter(name__contains=query)
    return partners.order_by("kind", "name")


# Referrals and the needs board ----------------------------------------------------------------


def referral_limit(village_code: str) -> Limit:
    """How long a partner has to answer a referral for a household of the village: the nearest
    region's policy, else the national row, else REFERRAL_DAYS calendar days."""
    covering = nearest_first(village_code)
    rows: dict[str | None, Limit] = {
        region: Limit(days, unit)
        for region, days, unit in ReferralPolicy.objects.filter(
            Q(region_id__in=covering) | Q(region__isnull=True)
        ).values_list("region_id", "days", "unit")
    }
    for code in covering:
        if code in rows:
            return rows[code]
    return rows.get(None, Limit(REFERRAL_DAYS, DayUnit.CALENDAR))


def referral_policies_visible_to(user) -> QuerySet[ReferralPolicy]:
    """The national row and those of the user's region and the regions above it (never a
    neighbour's), as the other policies are shown; nothing to a role that may not read them."""
    if not user.is_authenticated or not user.has_perm("assistance.view_referralpolicy"):
        return ReferralPolicy.objects.none()
    if user.is_superuser:
        return ReferralPolicy.objects.select_related("region")
    scope = Scope.of(user)
    if scope.sees_nothing:
        return ReferralPolicy.objects.none()
    return ReferralPolicy.objects.filter(
        Q(region__isnull=True) | _in_or_above(scope, "region")
    ).select_related("region")


def civil_affairs_referral_of(case: Case) -> CivilAffairsReferral | None:
    """The case's referral to civil affairs with who referred it and who recorded the decision,
    or None (the case is one its reader may see: `case_get`)."""
    return (
        CivilAffairsReferral.objects.filter(case=case)
        .select_related("referred_by", "recorded_by")
        .first()
    )


def tekun_approved(case: Case) -> bool:
    """Civil affairs approved tekun support for the case's household."""
    return CivilAffairsReferral.objects.filter(
        case=case, kind=CivilAffairsKind.TEKUN, decision=CivilAffairsDecision.APPROVED
    ).exists()


def policy_measures_visible_to(user) -> QuerySet[PolicyMeasure]:
    """The measure catalogue as a user reads it: the national entries and those of the user's
    region and the regions above it (never a neighbour county's own)."""
    if not user.is_authenticated or not user.has_perm("assistance.view_policymeasure"):
        return PolicyMeasure.objects.none()
    if user.is_superuser:
        return PolicyMeasure.objects.select_related("region")
    scope = Scope.of(user)
    if scope.sees_nothing:
        return PolicyMeasure.objects.none()
    return PolicyMeasure.objects.filter(
        Q(region__isnull=True) | _in_or_above(scope, "region")
    ).select_related("region")


def referrals_to_answer(user) -> QuerySet[Measure]:
    """The referrals waiting for this partner user's answer, the most urgent first."""
    if user.role != Role.PARTNER or not user.has_perm("assistance.answer_referral"):
        return Measure.objects.none()
    return (
        measures_visible_to(user)
        .filter(referral_status=ReferralStatus.PENDING)
        .select_related("case__household__village__parent", "responsible")
        .order_by("referral_due", "id")
    )


def measures_to_deliver(user) -> QuerySet[Measure]:
    """A partner's accepted measures that are not delivered or stopped yet."""
    return (
        measures_visible_to(user)
        .filter(
            referral_status__in=(ReferralStatus.ACCEPTED, ReferralStatus.NONE),
            status__in=(MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS),
        )
        .select_related("case__household__village__parent")
        .order_by("planned_start", "id")
    )


def referrals_returned(user) -> QuerySet[Measure]:
    """Declined or expired referrals in a cadre's region: each needs another partner."""
    if user.role == Role.PARTNER:
        return Measure.objects.none()
    return (
        measures_visible_to(user)
        .filter(referral_status__in=RETURNED_REFERRALS)
        .select_related("case__household__village", "partner")
        .order_by("responded_at", "id")
    )


def needs_claimed(user) -> QuerySet[Need]:
    """Claims of the user's region waiting for a cadre to confirm them (a partner sees its own
    claims through needs_visible_to, never this)."""
    if user.role == Role.PARTNER:
        return Need.objects.none()
    return needs_visible_to(user).filter(status=NeedStatus.CLAIMED)


def needs_visible_to(user) -> QuerySet[Need]:
    """Cadres see the needs of their region's households; a partner's users see the open needs
    of villages in their partner's area, and the needs their partner claimed."""
    if not user.is_authenticated or not user.has_perm("assistance.view_need"):
        return Need.objects.none()
    scope = Scope.of(user)
    if user.role == Role.PARTNER:
        partner = (
            Partner.objects.filter(pk=scope.partner, is_active=True).select_related("area").first()
            if scope.partner
            else None
        )
        if partner is None:
            return Need.objects.none()
        board = Q(status=NeedStatus.OPEN) & Scope.under(partner.area_id).q("village__code")
        return Need.objects.filter(board | Q(claimed_by=partner))
    if scope.sees_nothing:
        return Need.objects.none()
    return Need.objects.filter(scope.q("case__village__code"))


def need_get(*, user, pk) -> Need:
    try:
        return needs_visible_to(user).select_related("village__parent", "claimed_by").get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def need_covered_by(need: Need, partner: Partner) -> bool:
    """Whether the partner's area covers the need's village."""
    return Scope.under(partner.area_id).covers(need.village_id)


def needs_board(user) -> QuerySet[Need]:
    """The board as a list shows it: open needs first, then the claimed ones, by date."""
    return (
        needs_visible_to(user)
        .select_related("village__parent", "claimed_by")
        .order_by("needed_by", "id")
    )


def needs_listed(user, params) -> QuerySet[Need]:
    """The board filtered as the partner home's figures link to it: the partner's own claims
    (`claimed=mine`), a status."""
    needs = needs_board(user)
    if params.get("claimed") == "mine":
        needs = needs.filter(claimed_by_id=Scope.of(user).partner or 0)
    status = params.get("status", "")
    if status in NeedStatus.values:
        needs = needs.filter(status=status)
    return needs


def needs_of_case(case: Case) -> QuerySet[Need]:
    return case.needs.select_related("claimed_by", "measure").order_by("-id")


def partner_record(partner_id: int) -> dict[str, int]:
    """What a partner did with its referrals and its claims: the counts its record shows."""
    referrals = dict(
        Measure.objects.filter(partner_id=partner_id)
        .exclude(referral_status=ReferralStatus.NONE)
        .values_list("referral_status")
        .annotate(n=Count("id"))
        .values_list("referral_status", "n")
    )
    claims = dict(
        Need.objects.filter(claimed_by_id=partner_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "accepted": referrals.get(ReferralStatus.ACCEPTED, 0),
        "declined": referrals.get(ReferralStatus.DECLINED, 0),
        "expired": referrals.get(ReferralStatus.EXPIRED, 0),
        "pending": referrals.get(ReferralStatus.PENDING, 0),
        "claimed": sum(claims.values()),
        "confirmed": claims.get(NeedStatus.CONFIRMED, 0),
    }


# --- Deadlines: profiles, running steps under a region, who is reminded, overdue counts.


def deadline_profiles_visible_to(user) -> QuerySet[DeadlineProfile]:
    """The profiles that apply in the user's region: the national one, those of the regions
    above it (its province's) and those set within it (a county's override)."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("assistance.view_deadlineprofile"):
        return DeadlineProfile.objects.none()
    if scope.sees_everything:
        return DeadlineProfile.objects.all()
    return DeadlineProfile.objects.filter(
        Q(region_code="") | Q(region_code__in=scope.regions_above()) | scope.q("region_code")
    )


def calendar_days_visible_to(user) -> QuerySet[CalendarDay]:
    """The calendar is national: everyone who may read it reads all of it."""
    if not user.is_authenticated or not user.has_perm("assistance.view_calendarday"):
        return CalendarDay.objects.none()
    return CalendarDay.objects.all()


def steps_running_under(region_code: str) -> QuerySet[CaseStep]:
    """The undecided steps of running phases of households under a region (every one for the
    national profile's empty code): the steps a profile's change moves."""
    running = current_steps()
    if region_code:
        running = running.filter(Scope.under(region_code).q("case__village__code"))
    return running


def step_actors(step: CaseStep) -> QuerySet[User]:
    """The active users whose role takes the step and whose region covers its household: who is
    reminded. The case page offers the step's form to the same people."""
    permission = next(rule.permission for rule in PHASE_STEPS[step.phase] if rule.kind == step.kind)
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    return _users_covering(step.case.household.village_id).filter(role__in=roles).order_by("id")


def _users_covering(village_code: str) -> QuerySet[User]:
    """Active users whose region is the village or a region above it."""
    return User.objects.filter(
        is_active=True, region_id__in=[village_code, *Scope.under(village_code).regions_above()]
    )


def step_township_cadres(step: CaseStep) -> QuerySet:
    """The township cadres of the step's household's township: told when the step is overdue."""
    return (
        _users_covering(step.case.household.village_id)
        .filter(role=Role.TOWNSHIP_CADRE)
        .order_by("id")
    )


def step_county_officers(step: CaseStep) -> QuerySet:
    """The county officers over the step's household: told when it stays overdue."""
    return (
        _users_covering(step.case.household.village_id)
        .filter(role=Role.COUNTY_OFFICER)
        .order_by("id")
    )


class OverdueCounts(TypedDict):
    by_township: list[dict]
    by_step: list[dict]
    total: int


def overdue_counts(user, *, as_of: datetime.date) -> OverdueCounts:
    """How many steps are overdue in the user's region, per township and per step."""
    overdue = steps_overdue(user, as_of=as_of).order_by()
    by_township = (
        overdue.values(
            code=F("case__household__village__parent__code"),
            name=F("case__household__village__parent__name"),
        )
        .annotate(count=Count("id"))
        .order_by("code")
    )
    labels = dict(StepKind.choices)
    by_step = [
        {
            "kind": row["kind"],
            "name": str(labels.get(row["kind"], row["kind"])),
            "count": row["count"],
        }
        for row in overdue.values("kind").annotate(count=Count("id")).order_by("kind")
    ]
    rows: list[dict] = [dict(row) for row in by_township]
    return {
        "by_township": rows,
        "by_step": by_step,
        "total": sum(row["count"] for row in rows),
    }


# --- delegations of steps ----------------------------------------------------------------------


def delegations_visible_to(user) -> QuerySet[Delegation]:
    """The delegations of the user's region, and those the user gave or holds."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("assistance.view_delegation"):
        return Delegation.objects.none()
    return Delegation.objects.filter(
        scope.q("region__code") | Q(delegate=user) | Q(delegator=user)
    ).select_related("delegator", "delegate", "region__parent", "revoked_by")


def delegation_get(*, user, pk) -> Delegation:
    try:
        return delegations_visible_to(user).get(pk=pk)
    except (Delegation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def mentions_waiting(user) -> QuerySet[CaseMention]:
    """The notes that mention the user and that the user has not answered in their thread, on
    cases the user may still see."""
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("assistance.view_case"):
        return CaseMention.objects.none()
    # The scope of cases_visible_to, by the case's copy of its village: no subquery of cases,
    # which the task list's planner would join once more.
    return CaseMention.objects.filter(
        scope.q("comment__case__village__code"), user_id=user.pk, answered_at__isnull=True
    )


def delegations_covering(user, as_of: datetime.date) -> QuerySet[Delegation]:
    """The delegations the user holds that are in force on `as_of`: what the task list adds to
    the user's own role's steps."""
    return Delegation.objects.filter(
        delegate_id=user.pk, revoked_at__isnull=True, starts_on__lte=as_of, ends_on__gte=as_of
    )


def delegations_overlapping(
    *,
    delegate_id: int,
    permission: str,
    region_code: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> QuerySet[Delegation]:
    """The delegate's delegations in force of the same steps, on days that overlap, in the region
    itself, in a region above it (the township of a village) or under it (a village of a
    township): a delegation for the township already holds its villages' steps, and the reverse."""
    return Delegation.objects.filter(
        _in_or_above(Scope.under(region_code), "region"),
        delegate_id=delegate_id,
        permission=permission,
        revoked_at__isnull=True,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )


def delegation_for(
    user, *, permission: str, village_code: str, as_of: datetime.date
) -> Delegation | None:
    """The delegation in force under which the user takes a step of `permission` in the village
    (given for the village itself or for its township)."""
    return (
        delegations_covering(user, as_of)
        .filter(permission=permission, region_id__in=[village_code, *ancestors_of(village_code)])
        .order_by("ends_on", "pk")
        .first()
    )


def delegations_ended_before(as_of: datetime.date, *, since: datetime.date) -> QuerySet[Delegation]:
    """Delegations whose last day fell between `since` and the day before `as_of`, unrevoked: they
    have run out (a revoked one told its delegate when it was revoked)."""
    return Delegation.objects.filter(
        revoked_at__isnull=True, ends_on__lt=as_of, ends_on__gte=since
    ).select_related("delegator", "region")


def delegations_ending(as_of: datetime.date, *, until: datetime.date) -> QuerySet[Delegation]:
    """Delegations in force on `as_of` whose last day is no later than `until`."""
    return Delegation.objects.filter(
        revoked_at__isnull=True, starts_on__lte=as_of, ends_on__gte=as_of, ends_on__lte=until
    ).select_related("delegator", "region")


def delegation_waiting_steps(delegation: Delegation) -> int:
    """How many open cases of the delegation's region wait for a step it hands on."""
    kinds = _step_kinds(lambda rule: rule.permission == delegation.permission)
    cases = Case.objects.filter(Scope.under(delegation.region_id).q("household__village__code"))
    return cases_with_next_step(cases).filter(next_step__in=kinds).count()


def delegates_for(user) -> QuerySet[User]:
    """Who may receive a delegation from this user: active field staff in the user's region."""
    scope = Scope.of(user)
    if scope.sees_nothing:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, role__in=FIELD_STAFF_ROLES)
        .filter(scope.q("region__code"))
        .order_by("role", "username")
    )


# --- a case's conversation ---------------------------------------------------------------------


def cases_in_conversation(user) -> QuerySet[Case]:
    """The cases whose conversation the user reads: the cases the user sees, and for a
    partner's user the cases where its partner has a measure."""
    if not user.is_authenticated or not user.has_perm("assistance.view_casecomment"):
        return Case.objects.none()
    scope = Scope.of(user)
    if user.role == Role.PARTNER:
        if not scope.partner:
            return Case.objects.none()
        return Case.objects.filter(pk__in=_measures_in_conversation(scope.partner))
    return cases_visible_to(user)


def _measures_in_conversation(partner_id) -> QuerySet:
    """The cases where the partner holds a measure it has not given back: a partner that
    declined its referral, or let it expire, no longer reads the household's conversation."""
    return (
        Measure.objects.filter(partner_id=partner_id)
        .exclude(referral_status__in=RETURNED_REFERRALS)
        .values("case_id")
    )


def case_in_conversation(*, user, pk) -> Case:
    try:
        return cases_in_conversation(user).select_related("household__village").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_comments(case: Case) -> QuerySet[CaseComment]:
    return (
        CaseComment.objects.filter(case=case)
        .select_related("author")
        .prefetch_related("mentions__user")
        .order_by("created_at", "pk")
    )


def users_in_conversation(case: Case) -> QuerySet[User]:
    """Who may read a case's conversation: field staff and auditors whose region holds the
    case's village, and the users of the partners with a measure on the case."""
    village = case.household.village_id
    partners = (
        Measure.objects.filter(case=case, partner__isnull=False)
        .exclude(referral_status__in=RETURNED_REFERRALS)
        .values("partner_id")
    )
    return User.objects.filter(is_active=True).filter(
        Q(
            role__in=[*FIELD_STAFF_ROLES, Role.AUDITOR],
            region_id__in=[village, *ancestors_of(village)],
        )
        | Q(role=Role.PARTNER, partner_id__in=partners)
    )


# Civil affairs' roster (民政名单) and its reconciliation with ours
# (assistance/services/civil_affairs_roster.py).


def rosters_visible_to(user) -> QuerySet[CivilAffairsRoster]:
    """The roster imports of regions within the user's region, newest first."""
    if not user.has_perm("assistance.view_civilaffairsroster"):
        return CivilAffairsRoster.objects.none()
    scope = Scope.of(user)
    if scope.sees_nothing:
        return CivilAffairsRoster.objects.none()
    return (
        CivilAffairsRoster.objects.filter(scope.q("region__code"))
        .select_related("region", "imported_by")
        .order_by("-id")
    )


def roster_get(*, user, pk) -> CivilAffairsRoster:
    roster = rosters_visible_to(user).filter(pk=pk).first()
    if roster is None:
        raise Http404
    return roster


def roster_entries(*, roster: CivilAffairsRoster, side: str | None = None) -> QuerySet:
    """The lines of a roster the reader may see (`roster_get`), in the file's order and ours
    after it, with the person and household we hold."""
    entries = CivilAffairsRosterEntry.objects.filter(roster=roster)
    if side is not None:
        entries = entries.filter(side=side)
    return entries.select_related("member", "household", "acted_by", "case").order_by(
        F("row").asc(nulls_last=True), "id"
    )


def roster_entries_visible_to(user) -> QuerySet[CivilAffairsRosterEntry]:
    return CivilAffairsRosterEntry.objects.filter(roster__in=rosters_visible_to(user).values("pk"))


def roster_members(*, user, region_code: str) -> QuerySet[Member]:
    """The active members of the region (within the user's) a roster is reconciled with."""
    return (
        under_region(members_visible_to(user), region_code, path="household__village__code")
        .filter(status=Member.Status.ACTIVE)
        .select_related("household")
    )
