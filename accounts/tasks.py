from celery import shared_task
from django.conf import settings

from accounts.lockout import login_logs_prune as login_logs_prune_service
from accounts.services import api_tokens_prune as api_tokens_prune_service


@shared_task
def login_logs_prune() -> int:
    """Nightly: the login records older than the retention (at least six months) go."""
    return login_logs_prune_service(older_than_days=settings.LOGIN_LOG_RETENTION_DAYS)


@shared_task
def api_tokens_prune() -> int:
    """Nightly: expired API tokens go (one that is used is refused and deleted at once)."""
    return api_tokens_prune_service()
