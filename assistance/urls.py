from django.urls import path, re_path

from assistance import views
from assistance.views import civil_affairs_roster as roster_views
from core import regions

STEP_KINDS = (
    "consent|info_check|home_verification|deliberation|notice|township_review|county_approval"
)

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/overdue/", views.case_overdue, name="case-overdue"),
    path("cases/new/", views.case_propose, name="case-propose"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    re_path(
        rf"^cases/(?P<pk>\d+)/steps/(?P<kind>{STEP_KINDS})/$",
        views.case_step,
        name="case-step",
    ),
    path("cases/<int:pk>/notice/post/", views.case_notice_post, name="case-notice-post"),
    path("cases/<int:pk>/notice/", views.case_notice_print, name="case-notice-print"),
    re_path(
        rf"^cases/notices/(?P<village>{regions.CODE_REGEX})/(?P<day>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})/$",
        views.meeting_notice_print,
        name="meeting-notice-print",
    ),
    path("cases/<int:pk>/notes/", views.case_comment_post, name="case-comment-post"),
    path("cases/delegations/", views.delegation_list, name="delegation-list"),
    path("cases/delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation-revoke"),
    path("cases/<int:pk>/elimination/", views.case_elimination, name="case-elimination"),
    path(
        "cases/<int:pk>/civil-affairs/",
        views.case_civil_affairs_refer,
        name="case-civil-affairs-refer",
    ),
    path(
        "cases/<int:pk>/civil-affairs/decision/",
        views.case_civil_affairs_decision,
        name="case-civil-affairs-decision",
    ),
    path("cases/<int:pk>/measures/new/", views.measure_create, name="measure-create"),
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/<int:pk>/", views.measure_detail, name="measure-detail"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/accept/", views.measure_accept, name="measure-accept"),
    path("measures/<int:pk>/decline/", views.measure_decline, name="measure-decline"),
    path("referrals/policy/", views.referral_policy_edit, name="referral-policy"),
    path("needs/", views.need_list, name="need-list"),
    path("cases/<int:pk>/needs/new/", views.need_publish, name="need-publish"),
    path("needs/<int:pk>/claim/", views.need_claim, name="need-claim"),
    path("needs/<int:pk>/confirm/", views.need_confirm, name="need-confirm"),
    path("needs/<int:pk>/withdraw/", views.need_withdraw, name="need-withdraw"),
    path("partners/", views.partner_list, name="partner-list"),
    path("partners/new/", views.partner_create, name="partner-create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner-detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner-edit"),
    path("partners/<int:pk>/offers/new/", views.offer_create, name="offer-create"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer-edit"),
    # Civil affairs' roster (民政名单); its import and export are spreadsheets' (Excel in, out).
    path("civil-affairs/rosters/", roster_views.roster_list, name="civil-affairs-roster-list"),
    path(
        "civil-affairs/rosters/<int:pk>/",
        roster_views.roster_detail,
        name="civil-affairs-roster-detail",
    ),
    path(
        "civil-affairs/rosters/lines/<int:pk>/",
        roster_views.roster_entry_act,
        name="civil-affairs-roster-line-act",
    ),
]
