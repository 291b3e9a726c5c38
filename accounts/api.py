from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import permissions, serializers
from rest_framework.exceptions import AuthenticationFailed


class TokenLoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenLoginApi(KnoxLoginView):
    """Exchange a username and password for an API token (stored only as a digest)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def get_authenticate_header(self, request):
        return "Token"  # a failed login is a 401 that says how to authenticate, not a 403

    @extend_schema(
        request=TokenLoginSerializer,
        responses=inline_serializer(
            "TokenLoginResponse",
            {
                "expiry": serializers.DateTimeField(allow_null=True),
                "token": serializers.CharField(),
            },
        ),
    )
    def post(self, request, format=None):
        serializer = TokenLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if user is None:
            raise AuthenticationFailed(_("Wrong username or password."))
        request.user = user
        return super().post(request, format=format)


class TokenRevokeApi(KnoxLogoutView):
    """Revoke the token this request was made with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
