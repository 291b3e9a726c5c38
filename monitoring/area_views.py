"""Area events (规模性返贫 screening): the list, an event's ranked households, the screening of
one household, the closure, and an event opened by hand. Doors only: services/area_events.py
writes, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from core.errors import EditConflict
from core.forms import add_service_errors
from core.idle_session import POLL_HEADER
from core.pagination import numbered_page
from monitoring import selectors
from monitoring.area_ranking import reason_words
from monitoring.forms import AreaEventCloseForm, AreaEventOpenForm, ScreeningForm
from monitoring.models import AreaEventStatus, ScreeningStatus
from monitoring.services import area_events as services

PAGE_SIZE = 50


@login_required
@permission_required("monitoring.view_areaevent", raise_exception=True)
def area_event_list(request):
    page = numbered_page(request, selectors.area_events_listed(request.user), page_size=PAGE_SIZE)
    return render(
        request,
        "monitoring/area_event_list.html",
        {"page": page, "can_open": request.user.has_perm("monitoring.add_areaevent")},
    )


def _ranked(event) -> bool:
    """Whether the page has its list to show (an event opened before the worker made lists has
    neither date: it was ranked in its request)."""
    waiting = event.listing_requested_at is not None and event.listed_at is None
    return not waiting or event.status != AreaEventStatus.ACTIVE


def _event_of(request, pk):
    return get_object_or_404(selectors.area_events_listed(request.user), pk=pk)


@login_required
@permission_required("monitoring.view_areaevent", raise_exception=True)
def area_event_detail(request, pk, *, close_form=None):
    event = _event_of(request, pk)
    if request.htmx and request.headers.get(POLL_HEADER) and _ranked(event):
        # The page looked again while the worker ranked the area: now it is, the whole page
        # again (its filters kept, as the address holds them), once.
        return HttpResponseClientRefresh()
    status = request.GET.get("status", "")
    tasks = selectors.area_event_tasks(request.user, event)
    if status in ScreeningStatus.values:
        tasks = tasks.filter(status=status)
    else:
        status = ""
    page = numbered_page(request, tasks, page_size=PAGE_SIZE)
    for task in page:
        task.words = reason_words(task.reasons)
    active = event.status == AreaEventStatus.ACTIVE
    return render(
        request,
        "monitoring/area_event_detail.html",
        {
            "event": event,
            "page": page,
            "status": status,
            "statuses": ScreeningStatus.choices,
            "can_screen": active and request.user.has_perm("monitoring.change_screeningtask"),
            "can_close": active and request.user.has_perm("monitoring.change_areaevent"),
            "close_form": close_form or AreaEventCloseForm(initial={"version": event.version}),
        },
        status=400 if close_form is not None else 200,
    )


@login_required
@require_POST
@permission_required("monitoring.change_screeningtask", raise_exception=True)
def screening_record(request, pk):
    """One household screened: affected or not (the button pressed), with a short note."""
    task = get_object_or_404(selectors.screening_tasks_visible_to(request.user), pk=pk)
    form = ScreeningForm(request.POST)
    if form.is_valid():
        try:
            services.screening_record(actor=request.user, task=task, **form.cleaned_data)
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
    if form.errors:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    back = request.POST.get("back", "")
    query = f"?status={back}" if back in ScreeningStatus.values else ""
    return redirect(f"{reverse('area-event-detail', args=[task.event_id])}{query}")


@login_required
@require_POST
@permission_required("monitoring.change_areaevent", raise_exception=True)
def area_event_close(request, pk):
    event = _event_of(request, pk)
    form = AreaEventCloseForm(request.POST)
    if form.is_valid():
        try:
            services.area_event_close(actor=request.user, event=event, **form.cleaned_data)
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The area event is closed."))
            return redirect("area-event-detail", pk=event.pk)
    return area_event_detail(request, pk, close_form=form)


@login_required
@permission_required("monitoring.add_areaevent", raise_exception=True)
def area_event_create(request):
    form = AreaEventOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.area_event_open(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The area event is open: its households are being ranked for screening.")
            )
            return redirect("area-event-detail", pk=event.pk)
    return render(
        request,
        "monitoring/area_event_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
