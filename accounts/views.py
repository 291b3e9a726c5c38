from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import ApiTokenRevokeForm
from accounts.selectors import api_tokens_of
from accounts.services import api_token_revoke


class LogoutClearingSite(auth_views.LogoutView):
    """Logging out also clears what the visit page kept on the phone (docs/offline.md): the
    queue, the household list, the cached page and the service worker. The page's script
    does the same first, for browsers that ignore the header."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's API tokens: when each was made and when it ends, and a button to revoke it.
    A token is shown once, when it is made (POST /api/v1/auth/token/); here only its first
    characters tell tokens apart. Another user's token answers as one that does not exist."""
    form = ApiTokenRevokeForm(request.POST) if request.method == "POST" else ApiTokenRevokeForm()
    if request.method == "POST" and form.is_valid():
        if not api_token_revoke(user=request.user, token_key=form.cleaned_data["token"]):
            raise Http404
        messages.success(request, _("The token was revoked: requests made with it are refused."))
        return redirect("api-token-list")
    context = {
        "tokens": api_tokens_of(request.user),
        "lifetime_days": settings.API_TOKEN_DAYS,
        "errors": form.errors.get("token"),
    }
    return render(request, "accounts/token_list.html", context, status=400 if form.errors else 200)
