from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse401Serializer,
    ErrorResponse403Serializer,
    ErrorResponse429Serializer,
)
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import permissions, serializers
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled

from accounts.lockout import lockout_message
from accounts.token_auth import TokenAuthentication
from accounts.two_factor import (
    WRONG_CODE,
    has_two_factor,
    login_code_check,
    role_requires_two_factor,
)


class LoginLockedOut(Throttled):
    """django-axes' lockout in the API's error format: 429 with a Retry-After of the cool-off.
    The wait is set after DRF's constructor, which would add "expected available in N seconds"
    to a message that already says how long."""

    def __init__(self) -> None:
        super().__init__(detail=lockout_message())
        self.wait = settings.AXES_COOLOFF_TIME.total_seconds()


class TokenLoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(
        required=False,
        max_length=16,
        help_text=_(
            "A current code of the user's authenticator app, or one of their backup codes. "
            "Required for a user who set up two-factor login; a role the county requires it for "
            "must set it up on the site before asking for a token."
        ),
    )


class TokenLoginApi(KnoxLoginView):
    """Exchange a username and password for an API token (stored only as a digest)."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]

    def get_authenticate_header(self, request):
        return "Token"  # a failed login is a 401 that says how to authenticate, not a 403

    @extend_schema(
        request=TokenLoginSerializer,
        responses={
            200: inline_serializer(
                "TokenLoginResponse",
                {
                    "expiry": serializers.DateTimeField(allow_null=True),
                    "token": serializers.CharField(),
                },
            ),
            401: ErrorResponse401Serializer,
            403: ErrorResponse403Serializer,
            429: ErrorResponse429Serializer,
        },
    )
    def post(self, request, format=None):
        serializer = TokenLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # django-axes counts failures on Django's request, where its middleware looks for them.
        http_request: HttpRequest = request._request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if user is None:
            self._refuse_if_locked_out(http_request)
            raise AuthenticationFailed(_("Wrong username or password."))
        if has_two_factor(user):
            if not data.get("otp_token"):
                raise AuthenticationFailed(_("This user logs in with a code too: give otp_token."))
            if login_code_check(http_request, user=user, token=data["otp_token"]) is None:
                self._refuse_if_locked_out(http_request)
                raise AuthenticationFailed(WRONG_CODE)
        elif role_requires_two_factor(user):
            raise PermissionDenied(
                _("Your role requires two-factor login: set it up on the site first.")
            )
        request.user = user
        return super().post(request, format=format)

    @staticmethod
    def _refuse_if_locked_out(http_request: HttpRequest) -> None:
        if getattr(http_request, "axes_locked_out", False):
            raise LoginLockedOut()


class TokenRevokeApi(KnoxLogoutView):
    """Revoke the token this request was made with."""

    authentication_classes = (TokenAuthentication,)

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
