"""Pages of cases, measures and partners. Each view validates a form, calls a service and
redirects; the services and selectors are the ones the API uses."""

from assistance.views.cases import (
    case_civil_affairs_decision,
    case_civil_affairs_refer,
    case_detail,
    case_edit,
    case_elimination,
    case_list,
    case_notice_post,
    case_notice_print,
    case_overdue,
    case_propose,
    case_step,
    meeting_notice_print,
)
from assistance.views.comments import case_comment_post
from assistance.views.delegations import delegation_list, delegation_revoke
from assistance.views.measures import measure_create, measure_detail, measure_edit, measure_list
from assistance.views.partners import (
    offer_create,
    offer_edit,
    partner_create,
    partner_detail,
    partner_edit,
    partner_list,
)
from assistance.views.referrals import (
    measure_accept,
    measure_decline,
    need_claim,
    need_confirm,
    need_list,
    need_publish,
    need_withdraw,
    referral_policy_edit,
)

__all__ = [
    "case_civil_affairs_decision",
    "case_civil_affairs_refer",
    "case_comment_post",
    "delegation_list",
    "delegation_revoke",
    "meeting_notice_print",
    "case_detail",
    "case_edit",
    "case_elimination",
    "case_list",
    "case_notice_post",
    "case_notice_print",
    "case_overdue",
    "case_propose",
    "case_step",
    "measure_accept",
    "measure_create",
    "measure_decline",
    "measure_detail",
    "measure_edit",
    "measure_list",
    "need_claim",
    "need_confirm",
    "need_list",
    "need_publish",
    "need_withdraw",
    "referral_policy_edit",
    "offer_create",
    "offer_edit",
    "partner_create",
    "partner_detail",
    "partner_edit",
    "partner_list",
]
