"""Excel in and out: the registry template, its import (a job: checked, confirmed, imported by
the worker), list exports (a long one a job of the worker too)."""

from typing import IO
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.lockout import client_address
from assistance.selectors import roster_entries, roster_get
from assistance.services import civil_affairs_roster as roster_services
from audit.services import export_record
from core.id_like import query_pairs_without_id
from core.post_only import tell_nothing_was_done
from core.replica import reads_from_replica
from households.models import Region
from households.selectors import regions_within
from livelihoods.services import work as work_services
from spreadsheets import export_jobs, exports, jobs, selectors, services
from spreadsheets.forms import RosterUploadForm, UploadForm, WorkUploadForm
from spreadsheets.lists import EXPORTABLE, as_asked_by
from spreadsheets.models import ExportJob, ImportJob
from spreadsheets.roster_file import roster_export_workbook, roster_file_read
from spreadsheets.work_file import work_file_read
from spreadsheets.workbook import MAX_BYTES, MAX_ROWS, registry_template

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(content: bytes | IO[bytes], stem: str) -> HttpResponse | FileResponse:
    """A workbook to download, named in the user's language with an ASCII fallback. A file is
    streamed from where it lies and closed by the server when sent (FileResponse)."""
    name = f"{stem}_{timezone.localdate():%Y%m%d}.xlsx"
    response: HttpResponse | FileResponse
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


@login_required
def registry_import(request):
    """Upload a filled-in template: the file is kept and its check queued (spreadsheets/jobs.py);
    the job's page follows it. Nothing is read here: a 20,000-row file outlasts a request."""
    _require_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.import_job_create(actor=request.user, file=form.cleaned_data["file"])
        return redirect("registry-import-job", pk=job.pk)
    return render(
        request,
        "spreadsheets/registry_import.html",
        {
            "form": form,
            "recent": selectors.import_jobs_visible_to(request.user)[:5],
            **_limits(),
        },
    )


def _limits() -> dict:
    # Written as the refusal of a longer file writes it (spreadsheets/workbook.py).
    return {"max_rows": f"{MAX_ROWS:,}", "max_megabytes": MAX_BYTES // 2**20}


def _own_job(request, pk: int) -> ImportJob:
    """The user's own job, or 404: another user's job is not there for them, whoever they are."""
    _require_import(request)
    return get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)


@login_required
def registry_import_job(request, pk: int):
    """Where the job has got; htmx asks for the status part every 2 s while the worker is on it."""
    job = _own_job(request, pk)
    template = (
        "spreadsheets/import_job_status.html"
        if request.htmx
        else "spreadsheets/import_job_page.html"
    )
    response = render(request, template, {"job": job})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def registry_import_job_confirm(request, pk: int):
    job = _own_job(request, pk)
    if not jobs.import_job_confirm(actor=request.user, job=job):
        messages.info(request, _("This file is not waiting for a confirmation any more."))
    return redirect("registry-import-job", pk=job.pk)


@login_required
@require_POST
def registry_import_job_cancel(request, pk: int):
    job = _own_job(request, pk)
    if jobs.import_job_cancel(actor=request.user, job=job):
        messages.success(request, _("Cancelled: the uploaded file is deleted."))
    else:
        messages.info(request, _("This import can no longer be cancelled."))
    return redirect("registry-import-job", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def list_export(request, kind):
    """The list as a workbook. A POST with the CSRF token: an export is recorded in the audit
    trail, and a GET (a link on another site, a prefetch, a reload) must not write one: it is
    sent to the list, told nothing was done. The list's filters travel in the query string, as
    on the list itself. A list longer than
    settings.EXPORT_IN_REQUEST_ROWS is written by the worker (spreadsheets/export_jobs.py): the
    answer is then its job's page."""
    listing = EXPORTABLE[kind]
    if not request.user.has_perm(listing.permission):
        raise PermissionDenied
    # The list as its page shows it: the page leaves an ID-like value out of its address.
    query = urlencode(query_pairs_without_id(request.GET))
    asked = as_asked_by(request.user, query)
    back_to_list = reverse(listing.list_url) + (f"?{query}" if query else "")
    if request.method != "POST":
        tell_nothing_was_done(request)
        return redirect(back_to_list)
    # The rows may be seconds old: read from the replica when one is set (core/replica.py).
    with reads_from_replica():
        queryset = listing.rows(asked)
        count = queryset.count()
        if count > exports.MAX_EXPORT_ROWS:
            messages.error(request, exports.too_many_rows(count))
            return redirect(back_to_list)
        if count <= settings.EXPORT_IN_REQUEST_ROWS:
            workbook, written = exports.export_workbook(
                listing.resource(), queryset, title=str(listing.title)
            )
            export_record(
                actor=request.user,
                address=client_address(request),
                filters=dict(asked.GET.lists()),
                name=kind,
                row_count=written,  # the file's, counted as written
            )
            return _xlsx_response(workbook, str(listing.title))
    try:
        job = export_jobs.export_job_create(actor=request.user, kind=kind, params=asked.GET)
    except export_jobs.ExportRefused as refused:
        messages.error(request, refused.message)
        return redirect(back_to_list)
    return redirect("list-export-job", pk=job.pk)


def _own_export(request, pk: int) -> ExportJob:
    """The user's own export, or 404: another user's is not there for them, whoever they are,
    nor theirs once their role, region or partner changed."""
    return get_object_or_404(selectors.export_jobs_visible_to(request.user), pk=pk)


def _list_title(kind: str):
    listing = EXPORTABLE.get(kind)
    return listing.title if listing else kind


@login_required
def list_export_job(request, pk: int):
    """Where the export has got; htmx asks for the status part every 2 s while the worker is on
    it. The page lists the user's other recent exports below."""
    job = _own_export(request, pk)
    context: dict[str, object] = {"job": job}
    if request.htmx:
        template = "spreadsheets/export_job_status.html"
    else:
        template = "spreadsheets/export_job_page.html"
        recent = selectors.export_jobs_visible_to(request.user).exclude(pk=job.pk)[:10]
        listing = EXPORTABLE.get(job.kind)
        context["title"] = _list_title(job.kind)
        context["list_url"] = reverse(listing.list_url) if listing else ""
        context["recent"] = [(other, _list_title(other.kind)) for other in recent]
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def list_export_download(request, pk: int):
    """The ready file, as often as a lost connection needs. A POST with the CSRF token, as the
    export in a request is: each download is recorded in the audit trail."""
    job = _own_export(request, pk)
    file = export_jobs.export_job_download(
        actor=request.user, job=job, address=client_address(request)
    )
    if file is None:
        messages.info(request, _("This file is no longer here: export the list again."))
        return redirect("list-export-job", pk=job.pk)
    return _xlsx_response(file, str(_list_title(job.kind)))


@login_required
def roster_import(request):
    """Civil affairs' roster uploaded, read, checked whole and reconciled in one request (a roster
    is a region's few thousand lines at most); a refused file lists its problems by row and
    column, and nothing is kept of it."""
    if not roster_services.may_import(request.user):
        raise PermissionDenied
    regions = regions_within(request.user).filter(
        level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]
    )
    form = RosterUploadForm(
        request.POST or None, request.FILES or None, regions=regions.order_by("code")[:200]
    )
    refused = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            found = roster_file_read(name=upload.name, content=upload.read())
            roster = roster_services.roster_import(
                actor=request.user,
                file_name=upload.name,
                rows=found.rows,
                columns=found.columns,
                region_code=form.cleaned_data["region"],
            )
        except roster_services.RosterRefused as error:
            refused = error
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The roster is imported and reconciled."))
            return redirect("civil-affairs-roster-detail", pk=roster.pk)
    response = render(
        request,
        "spreadsheets/roster_import.html",
        {"form": form, "refused": refused, **_limits()},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def roster_export(request, pk: int):
    """The three lists of a roster for civil affairs, ID numbers masked; recorded in the audit
    trail as every export is."""
    if not roster_services.may_import(request.user):
        raise PermissionDenied
    roster = roster_get(user=request.user, pk=pk)
    entries = roster_entries(roster=roster)
    workbook = roster_export_workbook(roster, entries)
    export_record(
        actor=request.user,
        address=client_address(request),
        filters={"roster": [str(roster.pk)]},
        name="civil-affairs-roster",
        row_count=roster.in_both + roster.only_theirs + roster.only_ours,
        region_code=roster.region_id,
    )
    return _xlsx_response(workbook, _("Civil affairs roster reconciled"))


@login_required
def work_import(request):
    """A department's file of monthly work, read, checked whole and recorded in one request; a
    refused file lists its problems by row and column, and nothing is kept of it."""
    if not request.user.has_perm("livelihoods.add_workrecord"):
        raise PermissionDenied
    form = WorkUploadForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = work_file_read(content=form.cleaned_data["file"].read())
            created, unchanged = work_services.work_records_import(actor=request.user, rows=rows)
        except work_services.WorkImportRefused as refused:
            problems = refused.problems
        else:
            messages.success(
                request,
                _("%(created)d monthly work records imported, %(unchanged)d already recorded.")
                % {"created": created, "unchanged": unchanged},
            )
            return redirect("work-import")
    response = render(
        request,
        "spreadsheets/work_import.html",
        {"form": form, "problems": problems[:200] if problems else None},
        status=400 if problems or form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response
