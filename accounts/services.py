"""Writes of a user's own API tokens (django-rest-knox keeps them, as digests only)."""

from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User


def api_token_revoke(*, user: User, token_key: str) -> bool:
    """Revoke one of the user's tokens, named by its key prefix; False if they have none such
    (another user's token is no different from a token that does not exist)."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted > 0


def api_tokens_prune() -> int:
    """Delete the tokens past their expiry (knox refuses them anyway); returns how many."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
