"""Who acts next on a case, and whether the viewer may act now: the case page and the API's
`next_step` read it from here.

A step is taken by a level (the household, the village committee, the township, the county:
`steps.level_of`) and, where it is known, by a person: a delegate holding the step's permission
for the village, else the case's responsible cadre, else the household's paired cadre, when
their role is the level's. Whether the viewer may record the step is the services' own test
(the role's permission or a delegation in force) and the step's hold (`steps.step_hold`: the
notice not posted, its objection period running), so the page disables what the service would
refuse, with the same words.

Loaded for many cases at once in a fixed number of queries (the API's case list).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS
from assistance import steps
from assistance.deadlines import work_calendar
from assistance.models import Case, CaseStep, Delegation, StepKind
from core.regions import ancestors_of
from pairings.models import Pairing


def level_label(level: str) -> str:
    return {
        steps.HOUSEHOLD: _("The household"),
        steps.VILLAGE: _("Village committee"),
        steps.TOWNSHIP: _("Township"),
        steps.COUNTY: _("County level"),
    }[level]


def _waiting_for(level: str) -> str:
    return {
        steps.HOUSEHOLD: _("Waiting for the household to sign the commitment and authorisation"),
        steps.VILLAGE: _("Waiting for the village committee"),
        steps.TOWNSHIP: _("Waiting for the township"),
        steps.COUNTY: _("Waiting for the county"),
    }[level]


@dataclass(frozen=True)
class NextAction:
    kind: str
    label: str  # the step's name
    due_on: datetime.date
    level: str  # steps.HOUSEHOLD, VILLAGE, TOWNSHIP or COUNTY
    level_label: str
    person: str  # who, where known ("" when not)
    person_id: int | None  # the user, when the person is one
    relation: str  # how the person comes to it: delegate, responsible cadre, paired cadre, head
    available: bool  # the viewer may record the step's decision now
    reason: str  # why not, in words ("" when available)
    hold: str  # the hold's code ("" when none): "not_posted", "notice_running"
    delegated: bool  # the viewer takes it under a delegation


def next_actions(
    pairs: Iterable[tuple[Case, CaseStep]], *, user: User, as_of: datetime.date
) -> dict[int, NextAction]:
    """The next action of each (case, its waiting step), by case id, as `user` sees it."""
    pairs = list(pairs)
    if not pairs:
        return {}
    villages = {case.household.village_id for case, _step in pairs}
    covering = {code for village in villages for code in [village, *ancestors_of(village)]}
    in_force = list(
        Delegation.objects.filter(
            revoked_at__isnull=True,
            starts_on__lte=as_of,
            ends_on__gte=as_of,
            region_id__in=covering,
        )
        .select_related("delegate")
        .order_by("ends_on", "pk")
    )
    paired = {
        pairing.household_id: pairing.cadre
        for pairing in Pairing.objects.filter(
            household_id__in={case.household_id for case, _step in pairs}, ended_on__isnull=True
        ).select_related("cadre")
    }
    calendar = None
    if any(step.kind == StepKind.NOTICE and step.notice_ends_on for _case, step in pairs):
        calendar = work_calendar()
    found = {}
    for case, step in pairs:
        rule = steps.rule_for(step.phase, step.kind)
        level = steps.level_of(rule)
        village = case.household.village_id
        regions = {village, *ancestors_of(village)}
        delegations = [
            row
            for row in in_force
            if row.permission == rule.permission and row.region_id in regions
        ]
        person, person_id, relation = "", None, ""
        responsible = case.responsible
        cadre = paired.get(case.household_id)
        if level == steps.HOUSEHOLD:
            person, relation = case.household.head_name, _("household head")
        elif delegations:
            person, person_id = delegations[0].delegate.display_name, delegations[0].delegate_id
            relation = _("delegate")
        elif responsible is not None and rule.permission in ROLE_PERMISSIONS.get(
            responsible.role, frozenset()
        ):
            person, person_id, relation = (
                responsible.display_name,
                responsible.pk,
                _("responsible cadre"),
            )
        elif cadre is not None and rule.permission in ROLE_PERMISSIONS.get(cadre.role, frozenset()):
            person, person_id, relation = cadre.display_name, cadre.pk, _("paired cadre")
        own = user.has_perm(rule.permission)
        delegated = not own and any(row.delegate_id == user.pk for row in delegations)
        hold = steps.step_hold(
            kind=step.kind,
            notice_starts_on=step.notice_starts_on,
            notice_ends_on=step.notice_ends_on,
            as_of=as_of,
            calendar=calendar,
        )
        if hold is not None:
            available, reason = False, hold.message
        elif own or delegated:
            available, reason = True, ""
        else:
            available, reason = False, _waiting_for(level)
        found[case.pk] = NextAction(
            kind=step.kind,
            label=str(step.get_kind_display()),
            due_on=step.due_on,
            level=level,
            level_label=level_label(level),
            person=person,
            person_id=person_id,
            relation=relation,
            available=available,
            reason=reason,
            hold=hold.code if hold is not None else "",
            delegated=delegated,
        )
    return found


def next_action(
    case: Case, step: CaseStep | None, *, user: User, as_of: datetime.date
) -> NextAction | None:
    if step is None:
        return None
    return next_actions([(case, step)], user=user, as_of=as_of)[case.pk]
