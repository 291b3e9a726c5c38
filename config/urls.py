from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenLoginApi, TokenRevokeApi
from accounts.login_views import LoginWithCode
from assistance.api import (
    CaseCommentListApi,
    CaseViewSet,
    DelegationViewSet,
    MeasureViewSet,
    NeedViewSet,
    PartnerOfferViewSet,
    PartnerViewSet,
)
from assistance.api.civil_affairs_rosters import (
    CivilAffairsRosterLineListApi,
    CivilAffairsRosterViewSet,
)
from assistance.api.policy_measures import PolicyMeasureViewSet
from backtests.api import BacktestRunViewSet
from core.api import SchemaApi
from development.api.plans import PlanViewSet
from evidence.api import EvidenceFileApi, EvidenceListApi
from households.api import HouseholdViewSet, MemberViewSet, RegionViewSet
from livelihoods.api.credit import LoanViewSet
from livelihoods.api.industry import IndustrySupportViewSet
from livelihoods.api.insurance import InsuranceClaimViewSet
from livelihoods.api.posts import WelfarePostViewSet
from livelihoods.api.work import WorkRecordViewSet
from monitoring.api import (
    AlertViewSet,
    AreaEventViewSet,
    AssistanceStandardViewSet,
    IncomeLineViewSet,
    RuleConfigViewSet,
    ScanRunViewSet,
    ScreeningTaskViewSet,
    SelfReportApi,
    SignalViewSet,
    VisitViewSet,
    WebhookDeliveryViewSet,
    WebhookViewSet,
)
from monitoring.capacity_api import CapacityWeightsViewSet
from outcomes.api import OutcomeCaseListApi, OutcomesApi
from pairings.api import ContactViewSet, PairingViewSet
from worklist.api import TaskListApi

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
router.register("visits", VisitViewSet, basename="visit")
router.register("self-reports", SelfReportApi, basename="self-report")
router.register("alerts", AlertViewSet, basename="alert")
router.register("income-lines", IncomeLineViewSet, basename="income-line")
router.register("standards", AssistanceStandardViewSet, basename="standard")
router.register("rules", RuleConfigViewSet, basename="rule")
router.register("capacity-weights", CapacityWeightsViewSet, basename="capacity-weights")
router.register("signals", SignalViewSet, basename="signal")
router.register("area-events", AreaEventViewSet, basename="area-event")
router.register("screening-tasks", ScreeningTaskViewSet, basename="screening-task")
router.register("scan-runs", ScanRunViewSet, basename="scan-run")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("work-records", WorkRecordViewSet, basename="work-record")
router.register("welfare-posts", WelfarePostViewSet, basename="welfare-post")
router.register("industry-supports", IndustrySupportViewSet, basename="industry-support")
router.register("insurance-claims", InsuranceClaimViewSet, basename="insurance-claim")
router.register("contacts", ContactViewSet, basename="contact")
router.register("cases", CaseViewSet, basename="case")
router.register("delegations", DelegationViewSet, basename="delegation")
router.register("measures", MeasureViewSet, basename="measure")
router.register("partners", PartnerViewSet, basename="partner")
router.register("partner-offers", PartnerOfferViewSet, basename="partner-offer")
router.register("needs", NeedViewSet, basename="need")
router.register("policy-measures", PolicyMeasureViewSet, basename="policy-measure")
router.register("civil-affairs-rosters", CivilAffairsRosterViewSet, basename="civil-affairs-roster")
router.register("loans", LoanViewSet, basename="loan")
router.register("plans", PlanViewSet, basename="plan")
router.register("backtests", BacktestRunViewSet, basename="backtest")

api_v1 = [
    path("auth/token/", TokenLoginApi.as_view(), name="token-login"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="token-revoke"),
    path("tasks/", TaskListApi.as_view(), name="task-list"),
    path("cases/<int:pk>/comments/", CaseCommentListApi.as_view(), name="case-comments"),
    path("evidence/<str:kind>/<int:owner_id>/", EvidenceListApi.as_view(), name="evidence-list"),
    path("evidence/<int:pk>/file/", EvidenceFileApi.as_view(), name="evidence-file"),
    path(
        "civil-affairs-rosters/<int:pk>/lines/",
        CivilAffairsRosterLineListApi.as_view(),
        name="civil-affairs-roster-lines",
    ),
    path("outcomes/", OutcomesApi.as_view(), name="outcomes"),
    path("outcomes/cases/", OutcomeCaseListApi.as_view(), name="outcome-cases"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "v1"))),
    path("api/schema/", SchemaApi.as_view(api_version="v1"), name="api-schema"),
    # The split view loads Swagger UI's set-up script from a URL instead of inline (CSP). A page
    # for signed-in users, as its schema is: anonymous visitors go to the login page.
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api_docs.html"
            )
        ),
        name="api-docs",
    ),
    # The admin's login is ours: the same lockout, and the code step for two-factor users.
    path(
        "admin/login/",
        LoginWithCode.as_view(redirect_authenticated_user=False),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("households.urls")),
    path("", include("monitoring.urls")),
    path("", include("pairings.urls")),
    path("", include("assistance.urls")),
    path("", include("livelihoods.urls")),
    path("", include("livelihoods.urls_credit")),
    path("", include("development.urls")),
    path("", include("backtests.urls")),
    path("", include("outcomes.urls")),
    path("", include("self_reports.urls")),
    path("", include("dashboards.urls")),
    path("", include("worklist.urls")),
    path("", include("spreadsheets.urls")),
    path("", include("audit.urls")),
    path("", include("evidence.urls")),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
