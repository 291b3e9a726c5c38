"""The public pages of a village's own-report channel (no login) and the cadres' pages.

The public pages answer the same whatever the registry holds: a report is thanked with a query
code, a query code shows a status, and a refusal names what was wrong with the input, never
anything about a person. A limit reached is a 429 page; nothing is written but its count.
"""

from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.lockout import client_address
from accounts.models import User
from core.errors import EditConflict
from core.forms import add_service_errors
from core.masking import mask_phone
from core.pagination import bounded_page
from self_reports import selectors, services
from self_reports.forms import AcceptForm, CodeRequestForm, DecideForm, ReportForm, StatusForm
from self_reports.models import SelfReportStatus

VIEW = selectors.VIEW
CHANGE = selectors.CHANGE
# The phone the code was sent to, kept in the applicant's session between the two steps.
PHONE_KEY = "self_report_phone"


def _village(code: str):
    village = selectors.village_public(code=code)
    if village is None:
        raise Http404
    return village


def _limited(request: HttpRequest, template: str, context: dict, error) -> HttpResponse:
    return render(request, template, {**context, "limit_error": error.message}, status=429)


def _address_counted(request: HttpRequest) -> None:
    services.public_request_count(address=client_address(request))


def _public(context: dict) -> dict:
    return {**context, "consent_version": services.settings.SELF_REPORT_CONSENT_VERSION}


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the village's page, asking for a phone. POST: the report with its code."""
    village = _village(code)
    if request.method == "GET":
        return render(
            request,
            "self_reports/public_start.html",
            _public({"village": village, "form": CodeRequestForm()}),
        )
    form = ReportForm(request.POST)
    phone = request.session.get(PHONE_KEY, "")
    context = _public({"village": village, "form": form, "code_sent_to": _masked(phone)})
    try:
        _address_counted(request)
    except services.RateLimited as error:
        return _limited(request, "self_reports/public_form.html", context, error)
    if not form.is_valid():
        return render(request, "self_reports/public_form.html", context, status=400)
    if not phone:  # the session ended (or no code was asked for): start again
        form.add_error("code", _("Ask for a code for this phone first."))
        return render(request, "self_reports/public_form.html", context, status=400)
    fields = {name: value for name, value in form.cleaned_data.items() if name != "consent"}
    data = services.ReportInput(village=village, phone=phone, **fields)
    try:
        query_code = services.self_report_submit(data=data)
    except services.RateLimited as error:
        return _limited(request, "self_reports/public_form.html", context, error)
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, "self_reports/public_form.html", context, status=400)
    shown = "-".join(query_code[i : i + 4] for i in range(0, len(query_code), 4))
    return render(
        request, "self_reports/public_thanks.html", {"village": village, "query_code": shown}
    )


@require_POST
def public_report_code(request: HttpRequest, code: str) -> HttpResponse:
    """Send a one-time code to the phone, and show the report's form."""
    village = _village(code)
    form = CodeRequestForm(request.POST)
    context = _public({"village": village, "form": form})
    try:
        _address_counted(request)
        if not form.is_valid():
            return render(request, "self_reports/public_start.html", context, status=400)
        services.phone_code_request(phone=form.cleaned_data["phone"])
    except services.RateLimited as error:
        return _limited(request, "self_reports/public_start.html", context, error)
    phone = form.cleaned_data["phone"]
    request.session[PHONE_KEY] = phone
    return render(
        request,
        "self_reports/public_form.html",
        _public({"village": village, "form": ReportForm(), "code_sent_to": _masked(phone)}),
    )


def _masked(phone: str) -> str:
    return mask_phone(phone) if phone else ""


@require_http_methods(["GET", "POST"])
def public_report_status(request: HttpRequest) -> HttpResponse:
    """A query code in, the report's status out (sent by POST: the code stays out of addresses
    and logs)."""
    form = StatusForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "GET":
        return render(request, "self_reports/public_status.html", context)
    try:
        _address_counted(request)
    except services.RateLimited as error:
        return _limited(request, "self_reports/public_status.html", context, error)
    if not form.is_valid():
        return render(request, "self_reports/public_status.html", context, status=400)
    status = services.self_report_status(query_code=form.cleaned_data["query_code"])
    if status is None:
        form.add_error("query_code", _("No report has this query code. Check it and try again."))
        return render(request, "self_reports/public_status.html", context, status=400)
    context["status"] = SelfReportStatus(status)
    context["status_label"] = SelfReportStatus(status).label
    return render(request, "self_reports/public_status.html", context)


# --- the cadres' pages --------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def own_report_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = selectors.self_reports_listed(request.user, status=status)
    page = bounded_page(request, rows)
    return render(
        request,
        "self_reports/own_report_list.html",
        {
            "page": page,
            "status": status,
            "statuses": SelfReportStatus.choices,
            "today": timezone.localdate(),
            "villages": selectors.villages_with_poster(request.user)[:200],
        },
    )


def _detail(request: HttpRequest, pk, *, bound: dict | None = None, status: int = 200):
    report = selectors.self_report_get(user=request.user, pk=pk)
    bound = bound or {}
    may_change = request.user.has_perm(CHANGE)
    accept_form = decide_form = None
    if may_change and report.status == SelfReportStatus.RECEIVED:
        accept_form = bound.get("accept") or AcceptForm(initial={"version": report.version})
    if may_change and report.status != SelfReportStatus.DECIDED:
        decide_form = bound.get("decide") or DecideForm(initial={"version": report.version})
    return render(
        request,
        "self_reports/own_report_detail.html",
        {
            "report": report,
            "phone_masked": mask_phone(report.phone),
            "accept_form": accept_form,
            "decide_form": decide_form,
            "today": timezone.localdate(),
            "back_url": reverse("own-report-list"),
        },
        status=status,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def own_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_POST
@permission_required(CHANGE, raise_exception=True)
def own_report_accept(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.self_report_get(user=request.user, pk=pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.self_report_accept(
                actor=cast(User, request.user),  # login_required
                report_id=report.pk,
                version=form.cleaned_data["version"],
                household_number=form.cleaned_data["household_number"],
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report was accepted: it is being checked."))
            return redirect("own-report-detail", pk=report.pk)
    return _detail(request, pk, bound={"accept": form}, status=400)


@login_required
@require_POST
@permission_required(CHANGE, raise_exception=True)
def own_report_decide(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.self_report_get(user=request.user, pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.self_report_decide(
                actor=cast(User, request.user),  # login_required
                report_id=report.pk,
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("own-report-detail", pk=report.pk)
    return _detail(request, pk, bound={"decide": form}, status=400)


@login_required
@permission_required(VIEW, raise_exception=True)
def own_report_poster(request: HttpRequest, code: str) -> HttpResponse:
    """The village's poster: its QR code leads to its public page (printed and put up)."""
    village = selectors.village_for_poster(user=request.user, code=code)
    if village is None:
        raise Http404
    url = request.build_absolute_uri(reverse("public-report", args=[village.code]))
    qr = segno.make(url, error="m")
    return render(
        request,
        "self_reports/own_report_poster.html",
        {
            "village": village,
            "url": url,
            "qr_svg": qr.svg_inline(scale=8, border=2, omitsize=True),
            "back_url": reverse("own-report-list"),
        },
    )
