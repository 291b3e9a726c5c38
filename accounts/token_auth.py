"""The API's token check: knox's, without its sweep of the user's other tokens.

A module of its own, importing nothing of DRF's views: DRF imports its authentication classes
while its views are being set up."""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired

from accounts.backends import signed_in_user


class TokenAuthentication(KnoxTokenAuthentication):
    """knox loads every token the user holds, each time one is used, to delete those expired: a
    query per request that grows with a department system's tokens (a third of the time of a
    small API read). The presented token is still refused and deleted once expired; the others
    go in the nightly sweep (accounts.tasks.api_tokens_prune)."""

    def validate_user(self, auth_token):
        """The user as a signed-in session has it (accounts.backends.RoleBackend.get_user): with
        its region, and with whether the admin granted it anything, so that its permissions are
        its role's without a read of grants it hardly ever has (a third of an API request's
        statements, and the costliest to build)."""
        user, token = super().validate_user(auth_token)
        signed_in = signed_in_user(user.pk)
        return (signed_in if signed_in is not None else user), token

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
