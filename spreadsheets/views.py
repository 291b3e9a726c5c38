"""Excel in and out: the registry template, its import (check, then confirm), list exports."""

import time
import uuid
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.services import export_record
from spreadsheets import exports, selectors, services
from spreadsheets.forms import UploadForm
from spreadsheets.workbook import registry_template

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "registry_import"
UPLOADS = settings.VAR_DIR / "imports"


def _xlsx_response(content: bytes | IO[bytes], stem: str) -> HttpResponse | FileResponse:
    """A workbook to download, named in the user's language with an ASCII fallback. A file is
    streamed from where it lies and closed by the server when sent (FileResponse)."""
    name = f"{stem}_{timezone.localdate():%Y%m%d}.xlsx"
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=XLSX_TYPE)
    else:
        response = FileResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="export_{timezone.localdate():%Y%m%d}.xlsx"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _require_import(request) -> None:
    if not services.may_import(request.user):
        raise PermissionDenied


@login_required
def template_download(request):
    _require_import(request)
    return _xlsx_response(registry_template(user=request.user), _("Registry template"))


# A checked file holds ID numbers and bank accounts in clear: it is kept only until confirmed,
# replaced by another check, or this old (a session that ended left it behind).
KEEP_UPLOADS_SECONDS = 24 * 3600


def _upload_path(token: str):
    return UPLOADS / f"{uuid.UUID(token)}.xlsx"  # a uuid the server made, never a client's path


def _forget_upload(request) -> None:
    """Delete the file this session checked before, and the checked files of ended sessions."""
    upload = request.session.pop(SESSION_KEY, None)
    if upload:
        _upload_path(upload["token"]).unlink(missing_ok=True)
    if UPLOADS.is_dir():
        cutoff = time.time() - KEEP_UPLOADS_SECONDS
        for path in UPLOADS.glob("*.xlsx"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
            except OSError:  # removed meanwhile by another request's sweep
                pass


@login_required
def registry_import(request):
    """Upload a filled-in template; it is checked (nothing written) and kept for the confirm."""
    _require_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        # A new check replaces the last: a confirm never imports a file checked earlier.
        _forget_upload(request)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        report = services.registry_import(actor=request.user, content=content, dry_run=True)
        if report.ok and report.changes_anything:
            token = str(uuid.uuid4())
            UPLOADS.mkdir(parents=True, exist_ok=True)
            _upload_path(token).write_bytes(content)
            request.session[SESSION_KEY] = {
                "token": token,
                "name": form.cleaned_data["file"].name[:100],
            }
    return render(
        request,
        "spreadsheets/registry_import.html",
        {"form": form, "report": report, "upload": request.session.get(SESSION_KEY)},
        status=400 if report and not report.ok else 200,
    )


@login_required
@require_POST
def registry_import_confirm(request):
    """Import the checked file. It is checked again: the registry may have changed meanwhile."""
    _require_import(request)
    upload = request.session.get(SESSION_KEY)
    path = _upload_path(upload["token"]) if upload else None
    try:
        # Read, not tested for: a second confirm sent at once may have removed it meanwhile.
        content = path.read_bytes() if path else None
    except FileNotFoundError:
        content = None
    if content is None:
        messages.error(request, _("Upload the file again: the checked file is no longer here."))
        return redirect("registry-import")
    report = services.registry_import(actor=request.user, content=content, dry_run=False)
    if not report.ok:
        return render(
            request,
            "spreadsheets/registry_import.html",
            {"form": UploadForm(), "report": report, "upload": None},
            status=400,
        )
    path.unlink(missing_ok=True)
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _(
            "Imported: %(households)d households and %(members)d members new, "
            "%(changed)d records changed."
        )
        % {
            "households": report.households.new,
            "members": report.members.new,
            "changed": report.households.changed + report.members.changed,
        },
    )
    return redirect("household-list")


EXPORTS = {
    "households": (
        "households.view_household",
        selectors.household_rows,
        exports.HouseholdExport,
        gettext_lazy("Households"),
        "household-list",
    ),
    "visits": (
        "monitoring.view_visit",
        selectors.visit_rows,
        exports.VisitExport,
        gettext_lazy("Visits"),
        "visit-lists",
    ),
    "alerts": (
        "monitoring.view_alert",
        selectors.alert_rows,
        exports.AlertExport,
        gettext_lazy("Risk warnings"),
        "alert-queue",
    ),
    "cases": (
        "assistance.view_case",
        selectors.case_rows,
        exports.CaseExport,
        gettext_lazy("Cases"),
        "case-list",
    ),
    "measures": (
        "assistance.view_measure",
        selectors.measure_rows,
        exports.MeasureExport,
        gettext_lazy("Measures"),
        "measure-list",
    ),
    "partners": (
        "assistance.view_partner",
        selectors.partner_rows,
        exports.PartnerExport,
        gettext_lazy("Partners"),
        "partner-list",
    ),
}


@login_required
@require_POST
def list_export(request, kind):
    """The list as a workbook. A POST with the CSRF token: an export is recorded in the audit
    trail, and a GET (a link on another site, a prefetch) must not write one. The list's
    filters travel in the query string, as on the list itself."""
    permission, rows, resource, title, list_url = EXPORTS[kind]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    queryset = rows(request)
    count = queryset.count()
    if count > exports.MAX_EXPORT_ROWS:
        messages.error(
            request,
            _(
                "%(count)s rows are too many for one file (at most %(limit)s): "
                "narrow the filters and export again."
            )
            % {"count": f"{count:,}", "limit": f"{exports.MAX_EXPORT_ROWS:,}"},
        )
        query = request.GET.urlencode()
        return redirect(reverse(list_url) + (f"?{query}" if query else ""))
    workbook = exports.export_workbook(resource(), queryset, title=str(title))
    export_record(request=request, name=kind, row_count=count)
    return _xlsx_response(workbook, str(title))
