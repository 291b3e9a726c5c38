"""The API's token check: knox's, without its sweep of the user's other tokens.

A module of its own, importing nothing of DRF's views: DRF imports its authentication classes
while its views are being set up."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed

from accounts.backends import signed_in_user


class TokenAuthentication(KnoxTokenAuthentication):
    """knox loads every token the user holds, each time one is used, to delete those expired: a
    query per request that grows with a department system's tokens (a third of the time of a
    small API read). The presented token is still refused and deleted once expired; the others
    go in the nightly sweep (accounts.tasks.api_tokens_prune)."""

    def validate_user(self, auth_token):
        """The token's user as a signed-in session has it (RoleBackend.get_user): with its
        region, and with whether the admin granted it anything, so that its permissions are its
        role's without a read of grants it hardly ever has (a third of an API request's
        statements, and the costliest to build)."""
        user = signed_in_user(auth_token.user_id)
        # Checked on the row returned: one deactivated since knox read the token is refused.
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return user, auth_token

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's tokens, for this subclass (the same `knoxApiToken`)."""

    target_class = "accounts.token_auth.TokenAuthentication"
