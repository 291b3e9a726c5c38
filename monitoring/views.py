from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import field_staff_covering
from core.errors import EditConflict
from core.forms import add_service_errors
from core.pagination import numbered_page
from evidence.forms import AttachmentForm
from evidence.services import evidence_attach
from households import selectors as household_selectors
from monitoring import selectors
from monitoring.evidence_owners import VERIFICATION, VISIT
from monitoring.forms import (
    DISMISS_REASON_MAX,
    AssignForm,
    DismissForm,
    EventFormSet,
    NoteForm,
    SelfReportForm,
    VerifyForm,
    VisitForm,
    WebhookForm,
    visit_error_summary,
)
from monitoring.models import (
    AlertStatus,
    Notification,
    VerificationResult,
)
from monitoring.scans import scan_start_by_hand
from monitoring.services import alerts as alert_services
from monitoring.services.alerts import TRANSITIONS
from monitoring.services.visits import visit_record
from monitoring.services.webhooks import webhook_create

PAGE_SIZE = 50


@login_required
@permission_required("monitoring.add_visit", raise_exception=True)
def visit_lists(request):
    """A village worker's day: whom to visit soon, who is overdue, what they recorded lately."""
    today = timezone.localdate()
    overdue = selectors.visits_overdue(request.user, today=today)
    return render(
        request,
        "monitoring/visit_lists.html",
        {
            "overdue": overdue[:100],
            "overdue_count": overdue.count(),
            "due": selectors.visits_due(request.user, today=today)[:100],
            "recent": selectors.visits_visible_to(request.user)
            .filter(visitor=request.user)
            .select_related("household")[:20],
            "today": today,
        },
    )


@login_required
@permission_required("monitoring.add_visit", raise_exception=True)
def visit_household_search(request):
    """The household picker of the visit page (htmx): by head's name or household number."""
    query = household_selectors.query_text(request.GET, "q")
    households = household_selectors.households_visible_to(request.user).select_related("village")
    if query.isdigit():
        households = households.filter(number__startswith=query)
    elif query:
        households = households.filter(head_name__contains=query)
    else:
        households = households.none()
    return render(
        request,
        "monitoring/visit_household_results.html",
        {"households": households.order_by("number")[:20]},
    )


@login_required
@permission_required("monitoring.add_visit", raise_exception=True)
def visit_create(request):
    household_id = request.GET.get("household") or request.POST.get("household")
    household = None
    if household_id:
        household = household_selectors.household_get(user=request.user, pk=household_id)
    if household is None:
        # A blank form rides along: offline, the page fills it in for a household of the list
        # kept on the phone (static/js/offline.js).
        return render(
            request,
            "monitoring/visit_pick.html",
            {
                "offline_form": VisitForm(),
                "offline_events": EventFormSet(prefix="events", form_kwargs={"members": []}),
            },
        )
    members = list(household.members.filter(status="active"))
    last = household.visits.order_by("-visited_on", "-id").first()
    form = VisitForm(request.POST or None, household=household, last=last)
    events = EventFormSet(request.POST or None, form_kwargs={"members": members}, prefix="events")
    # A photo taken on the visit (online only: the offline queue sends the figures alone).
    attachment = AttachmentForm(request.POST or None, request.FILES or None, capture=True)
    valid = [f.is_valid() for f in (form, events, attachment)] if request.method == "POST" else []
    if valid and all(valid):
        data = dict(form.cleaned_data)
        try:
            with transaction.atomic():
                visit, created = visit_record(
                    actor=request.user,
                    household_id=household.pk,
                    events=[event for event in (f.as_event() for f in events) if event],
                    **data,
                )
                if created and attachment.cleaned_file is not None:
                    evidence_attach(
                        actor=request.user,
                        owner_kind_key=VISIT,
                        owner_id=visit.pk,
                        cleaned=attachment.cleaned_file,
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if created:
                messages.success(
                    request,
                    _("Visit recorded for household %(number)s.") % {"number": household.number},
                )
            else:
                messages.info(
                    request, _("This visit had already been recorded; nothing was added.")
                )
            return redirect("visit-detail", pk=visit.pk)
    return render(
        request,
        "monitoring/visit_form.html",
        {
            "household": household,
            "form": form,
            "events": events,
            "last": last,
            "attachment": attachment,
            "error_summary": visit_error_summary(form, events, attachment) if valid else [],
        },
    )


@login_required
@permission_required("monitoring.view_visit", raise_exception=True)
def visit_detail(request, pk):
    visit = get_object_or_404(
        selectors.visits_visible_to(request.user).select_related("household", "visitor"), pk=pk
    )
    return render(
        request,
        "monitoring/visit_detail.html",
        {"visit": visit, "events": visit.events.select_related("member")},
    )


@login_required
@permission_required("monitoring.add_visit", raise_exception=True)
def self_report(request, pk):
    household = household_selectors.household_get(user=request.user, pk=pk)
    form = SelfReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert = alert_services.self_report_record(
                actor=request.user, household_id=household.pk, report=form.cleaned_data["report"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The household's report was recorded as a risk warning."))
            if request.user.has_perm("monitoring.view_alert"):
                return redirect("alert-detail", pk=alert.pk)
            return redirect("household-detail", pk=household.pk)
    return render(
        request, "monitoring/self_report_form.html", {"household": household, "form": form}
    )


@login_required
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_detail(request, pk, forms=None):
    alert = get_object_or_404(
        selectors.alerts_visible_to(request.user).select_related(
            "household", "household__village", "assignee"
        ),
        pk=pk,
    )
    forms = forms or {}
    initial = {"version": alert.version}
    can_manage = request.user.has_perm("monitoring.change_alert")
    verifications = list(selectors.alert_verifications(alert))
    found_untrue = bool(
        verifications
        and alert.status == AlertStatus.VERIFYING
        and verifications[0].result == VerificationResult.FALSE
    )
    dismiss_initial = dict(initial)
    if found_untrue:
        # The findings may run to 2,000 characters, the reason to 500: the prefill must fit.
        dismiss_initial["reason"] = Truncator(
            _("Home verification found it untrue: %(findings)s")
            % {"findings": verifications[0].findings}
        ).chars(DISMISS_REASON_MAX)
    context = {
        "alert": alert,
        "timeline": alert.timeline.select_related("actor"),
        "can_manage": can_manage,
        "can_verify": can_manage or alert.assignee_id == request.user.pk,
        "can_open_case": alert.status == AlertStatus.CONFIRMED
        and request.user.has_perm("assistance.propose_case"),
        "allowed": {action: alert.status in TRANSITIONS[action][0] for action in TRANSITIONS},
        "assign_form": forms.get("assign")
        or AssignForm(
            initial={**initial, "assignee": alert.assignee_id},
            colleagues=field_staff_covering(alert.household.village_id) if can_manage else (),
        ),
        "verify_form": forms.get("verify")
        or VerifyForm(
            initial=initial,
            visits=alert_services.alert_verification_visits(alert, user=request.user),
        ),
        "verifications": verifications,
        "verify_attachment": forms.get("verify_attachment") or AttachmentForm(capture=True),
        "confirm_form": forms.get("confirm") or NoteForm(initial=initial),
        "dismiss_form": forms.get("dismiss") or DismissForm(initial=dismiss_initial),
        # 不属实: the dismissal comes first, with the verifier's findings as its reason.
        "found_untrue": found_untrue,
    }
    return render(request, "monitoring/alert_detail.html", context, status=400 if forms else 200)


@login_required
@require_POST
def alert_action(request, pk, action):
    alert = get_object_or_404(
        selectors.alerts_visible_to(request.user).select_related("household"), pk=pk
    )
    form_class = {
        "assign": AssignForm,
        "verify": VerifyForm,
        "confirm": NoteForm,
        "dismiss": DismissForm,
    }[action]
    kwargs: dict = {}
    if action == "assign":
        kwargs["colleagues"] = field_staff_covering(alert.household.village_id)
    elif action == "verify":
        kwargs["visits"] = alert_services.alert_verification_visits(alert, user=request.user)
    form = form_class(request.POST, **kwargs)
    # The home verification may carry a photo (入户核查); a refused file refuses the verification.
    attachment = AttachmentForm(request.POST, request.FILES, capture=True)
    if form.is_valid() and (action != "verify" or attachment.is_valid()):
        data = form.cleaned_data
        try:
            if action == "assign":
                alert_services.alert_assign(
                    actor=request.user,
                    alert=alert,
                    version=data["version"],
                    assignee_id=data["assignee"],
                )
            elif action == "verify":
                with transaction.atomic():
                    alert_services.alert_verify(
                        actor=request.user,
                        alert=alert,
                        version=data["version"],
                        result=data["result"],
                        findings=data["findings"],
                        visit_id=data["visit"],
                    )
                    if attachment.cleaned_file is not None:
                        evidence_attach(
                            actor=request.user,
                            owner_kind_key=VERIFICATION,
                            owner_id=alert.pk,
                            cleaned=attachment.cleaned_file,
                        )
            elif action == "confirm":
                alert_services.alert_confirm(
                    actor=request.user, alert=alert, version=data["version"], note=data["note"]
                )
            else:
                alert_services.alert_dismiss(
                    actor=request.user, alert=alert, version=data["version"], reason=data["reason"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except EditConflict as conflict:
            add_service_errors(form, conflict)
        else:
            messages.success(request, _("Saved."))
            return redirect("alert-detail", pk=alert.pk)
    bound = {action: form}
    if action == "verify":
        bound["verify_attachment"] = attachment
    return alert_detail(request, pk, forms=bound)


@login_required
@permission_required("monitoring.view_scanrun", raise_exception=True)
def scan_list(request):
    if request.method == "POST":
        scan_start_by_hand(actor=request.user)  # a role or an account without a region: 403
        messages.success(request, _("A scan of your region was started."))
        return redirect("scan-list")
    runs = selectors.scan_runs_visible_to(request.user)[:50]
    return render(request, "monitoring/scan_list.html", {"runs": runs})


@login_required
def notification_list(request):
    """The user's notifications. A GET only lists them; marking read is a POST (one, or all),
    so that a link or a prefetch cannot mark them read unseen."""
    if request.method == "POST":
        unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
        one = request.POST.get("notification", "")
        if one:
            unread = unread.filter(pk=int(one) if one.isdigit() else 0)
        unread.update(read_at=timezone.now())
        return redirect("notification-list")
    notifications = selectors.notifications_of(request.user)[:100]
    return render(request, "monitoring/notification_list.html", {"notifications": notifications})


@login_required
@permission_required("monitoring.view_webhook", raise_exception=True)
def webhook_list(request):
    """A county's webhooks; a county officer adds one here (the secret is shown once)."""
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhook_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = WebhookForm()
    return render(
        request,
        "monitoring/webhook_list.html",
        {
            "webhooks": selectors.webhooks_visible_to(request.user),
            "form": form,
            "created": created,
            "may_add": request.user.has_perm("monitoring.add_webhook"),
        },
    )


@login_required
@permission_required("monitoring.view_webhook", raise_exception=True)
def webhook_delivery_list(request):
    """The delivery log: each notification sent to each webhook, its attempts and answer."""
    deliveries = numbered_page(
        request, selectors.webhook_deliveries_visible_to(request.user), page_size=PAGE_SIZE
    )
    return render(request, "monitoring/webhook_delivery_list.html", {"page": deliveries})
