"""The doors of attached files on the pages: attaching one to a record, and handing one out.

A file is never served from a public URL: the download view checks the viewer's scope through
the selectors and records the download in the audit trail, every time.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.lockout import client_address
from core.forms import add_service_errors
from evidence import selectors, services
from evidence.forms import EvidenceForm
from evidence.registry import owner_kind
from evidence.responses import file_response


def _back(request, fallback: str = "home"):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def evidence_attach(request, kind, owner_id):
    owner = owner_kind(kind)
    if owner is None:
        raise Http404
    # The record before the file: another region's is "not found", a record the user may see
    # but not add to is refused, and neither reads the upload.
    if selectors.owner_visible(user=request.user, kind=owner, owner_id=owner_id) is None:
        raise Http404
    if not selectors.may_attach(user=request.user, kind=kind, owner_id=owner_id):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_attach(
                actor=request.user,
                owner_kind_key=kind,
                owner_id=owner_id,
                cleaned=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, _("The file is attached."))
    return _back(request)


@login_required
def evidence_download(request, pk):
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    response = file_response(evidence)  # a file storage lost is no download to record
    services.evidence_download_record(
        actor=request.user, evidence=evidence, address=client_address(request)
    )
    return response
