from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenLoginApi, TokenRevokeApi
from households.api import HouseholdViewSet, MemberViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")

api_v1 = [
    path("auth/token/", TokenLoginApi.as_view(), name="token-login"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="token-revoke"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "v1"))),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("households.urls")),
    path("", include("monitoring.urls")),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
