"""The case page's civil affairs section (民政): the referral, civil affairs' decision, and the
forms to refer and to record it (posted to assistance.views.cases)."""

from django.utils import timezone

from assistance import selectors
from assistance.forms import CivilAffairsDecisionForm, CivilAffairsReferForm
from assistance.models import Case, CivilAffairsDecision


def civil_affairs_context(request, case: Case, bound: dict) -> dict:
    referral = selectors.civil_affairs_referral_of(case)
    may_change = request.user.has_perm("assistance.change_case")
    may_refer = (
        may_change
        and case.is_open
        and (referral is None or referral.decision == CivilAffairsDecision.REJECTED)
    )
    decision_form = None
    if may_change and referral is not None:
        decision_form = bound.get("civil_affairs_decision") or CivilAffairsDecisionForm(
            initial={
                "version": referral.version,
                "decision": referral.decision
                if referral.decision != CivilAffairsDecision.PENDING
                else CivilAffairsDecision.APPROVED,
                "decided_on": referral.decided_on or timezone.localdate(),
                "amount": referral.amount,
                "note": referral.note,
            }
        )
    refer_form = bound.get("civil_affairs_refer")  # shown with its errors even if now refused
    if refer_form is None and may_refer:
        refer_form = CivilAffairsReferForm()
    return {
        "civil_affairs": referral,
        "civil_affairs_refer_form": refer_form,
        "civil_affairs_decision_form": decision_form,
    }
