"""Writes of a user's own API tokens (django-rest-knox keeps them, as digests only), and of the
filters a user saves on a list."""

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from accounts.models import SavedFilter, User

# A user keeps at most this many saved filters a list: a working set, not an archive.
SAVED_FILTERS_MAX = 20
# The lists whose filters may be saved (SavedFilter.list_key).
SAVED_FILTER_LISTS = ("alerts",)
# Parameters that are not filters: the page number is where one was, not what one looks for.
_NOT_FILTERS = {"page", "saved"}


def api_token_revoke(*, user: User, token_key: str) -> bool:
    """Revoke one of the user's tokens, named by its key prefix; False if they have none such
    (another user's token is no different from a token that does not exist)."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted > 0


def api_tokens_prune() -> int:
    """Delete the tokens past their expiry (knox refuses them anyway); returns how many."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


def saved_filter_save(*, actor: User, list_key: str, name: str, query: str) -> SavedFilter:
    """Save the list's current filters under a name; the same name again replaces its filters."""
    name = (name or "").strip()
    if not name or len(name) > 40 or "\x00" in name:
        raise ValidationError({"name": _("Give the filter a name of 1 to 40 characters.")})
    if list_key not in SAVED_FILTER_LISTS:
        raise ValidationError(_("Filters of this list cannot be saved."))
    pairs = [
        (key, value)
        for key, value in parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
        if key not in _NOT_FILTERS and "\x00" not in key + value
    ]
    if not pairs:
        raise ValidationError(_("Choose some filters before you save them."))
    query = urlencode(pairs)
    if len(query) > 500:
        raise ValidationError(_("These filters are too long to save."))
    with transaction.atomic():
        # The user's row first: two saves at once count the same set.
        User.objects.select_for_update().filter(pk=actor.pk).exists()
        saved = SavedFilter.objects.filter(user=actor, list_key=list_key, name=name).first()
        if saved is None:
            if SavedFilter.objects.filter(user=actor, list_key=list_key).count() >= (
                SAVED_FILTERS_MAX
            ):
                raise ValidationError(
                    _("You have %(max)d saved filters here: delete one before saving another.")
                    % {"max": SAVED_FILTERS_MAX}
                )
            return SavedFilter.objects.create(user=actor, list_key=list_key, name=name, query=query)
        saved.query = query
        saved.save(update_fields=["query"])
        return saved


def saved_filter_delete(*, actor: User, saved_filter_id: int) -> bool:
    """Delete one of the user's saved filters; False if they have none such."""
    deleted, _rows = SavedFilter.objects.filter(user=actor, pk=saved_filter_id).delete()
    return deleted > 0
