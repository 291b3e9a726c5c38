"""Case steps and measure deliveries as owners of attached files (evidence.registry).

A step's files (the signed 承诺授权书, the deliberation's minutes and attendance, a photo of the
posted notice) are attached by whoever may take that step, or manage the case; a measure's
receipts by whoever may record its delivery (a partner: only on its own measures). Whoever may
see the case or measure sees its files: auditors every step in their region.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from assistance.models import RETURNED_REFERRALS, CaseStep, Measure
from assistance.selectors import cases_visible_to, measures_visible_to
from assistance.steps import PHASE_STEPS
from evidence.registry import OwnerKind, register

CASE_STEP = "case_step"
DELIVERY = "measure"


def steps_visible(user) -> QuerySet[CaseStep]:
    return CaseStep.objects.filter(case__in=cases_visible_to(user))


def steps_attachable(user) -> QuerySet[CaseStep]:
    steps = steps_visible(user)
    if user.has_perm("assistance.change_case"):
        return steps
    taken = Q(pk__in=[])
    for phase, rules in PHASE_STEPS.items():
        for rule in rules:
            if user.has_perm(rule.permission):
                taken |= Q(phase=phase, kind=rule.kind)
    return steps.filter(taken)


def measures_with_files(user) -> QuerySet[Measure]:
    """A partner reads the receipts of the measures it carries, not of one it declined or let
    expire: those went back to the cadres, as the case's conversation did (receipts carry
    names and signatures)."""
    measures = measures_visible_to(user)
    if user.role == Role.PARTNER:
        return measures.exclude(referral_status__in=RETURNED_REFERRALS)
    return measures


def measures_attachable(user) -> QuerySet[Measure]:
    if not user.has_perm("assistance.record_delivery"):
        return Measure.objects.none()
    return measures_with_files(user)


def register_owners() -> None:
    register(
        OwnerKind(
            key=CASE_STEP,
            label=_("Case step"),
            model=CaseStep,
            household_path="case__household",
            visible=steps_visible,
            attachable=steps_attachable,
        )
    )
    register(
        OwnerKind(
            key=DELIVERY,
            label=_("Delivery of a measure"),
            model=Measure,
            household_path="case__household",
            visible=measures_with_files,
            attachable=measures_attachable,
        )
    )
