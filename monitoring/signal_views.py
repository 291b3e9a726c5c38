"""The signal desk: department signals waiting for review, worked one by one, and the funnel of
what each department's signals became."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.pagination import numbered_page
from households.forms import MemberForm
from monitoring import selectors
from monitoring.forms import DESK_FORMS, SignalResolveForm
from monitoring.models import Signal, SignalKind, SignalSource
from monitoring.services.signals import DeskAction
from monitoring.services.signals import signal_resolve as signal_resolve_service

PAGE_SIZE = 50


def _not_a_sender(request) -> None:
    """The desk's pages show what matched: a sending system reads its outcomes through the API
    only (selectors.is_sender), or it could read which of its numbers are registered."""
    if selectors.is_sender(request.user):
        raise PermissionDenied(_("Your role may not do this."))


@login_required
@permission_required("monitoring.view_signal", raise_exception=True)
def signal_list(request):
    _not_a_sender(request)
    signals = selectors.signals_with_outcome(
        selectors.signals_visible_to(request.user).select_related("household", "region")
    )
    status = request.GET.get("status", Signal.Status.UNMATCHED)
    if status in Signal.Status.values:
        signals = signals.filter(status=status)
    sources, kinds = dict(SignalSource.choices), dict(SignalKind.choices)
    funnel = [
        (sources.get(row.source, row.source), kinds.get(row.kind, row.kind), row)
        for row in selectors.signal_funnel(request.user)
    ]
    return render(
        request,
        "monitoring/signal_list.html",
        {
            "page": numbered_page(request, signals, page_size=PAGE_SIZE),
            "status": status,
            "statuses": Signal.Status.choices,
            "funnel": funnel,
            "can_resolve": request.user.has_perm("monitoring.change_signal"),
        },
    )


def _desk_forms(request, signal, bound: dict | None = None) -> dict:
    """The three answers of the desk, each its own form (one of them bound after a refusal)."""
    bound = bound or {}
    forms = {
        action: bound.get(action) or DESK_FORMS[action](initial={"action": action}, prefix=action)
        for action in DeskAction.choices
    }
    can_register = request.user.has_perm("households.add_member")
    member_form = bound.get("member") or MemberForm(prefix="member")
    return {"forms": forms, "member_form": member_form if can_register else None}


@login_required
@permission_required("monitoring.view_signal", raise_exception=True)
def signal_review(request, pk, bound: dict | None = None):
    _not_a_sender(request)
    signal = get_object_or_404(
        selectors.signals_with_outcome(
            selectors.signals_visible_to(request.user).select_related(
                "household", "region", "member"
            )
        ),
        pk=pk,
    )
    waiting = signal.status == Signal.Status.UNMATCHED
    can_resolve = waiting and request.user.has_perm("monitoring.change_signal")
    context = {"signal": signal, "can_resolve": can_resolve}
    if can_resolve:
        context |= _desk_forms(request, signal, bound)
        context["open_action"] = next(iter(bound), None) if bound else None
    return render(request, "monitoring/signal_review.html", context)


@login_required
@require_POST
@permission_required("monitoring.change_signal", raise_exception=True)
def signal_resolve(request, pk):
    """One of the desk's three answers to a signal waiting for review."""
    signal = get_object_or_404(selectors.signals_visible_to(request.user), pk=pk)
    action = request.POST.get("action", "")
    prefix = action if action in DeskAction.choices else None
    form = (
        DESK_FORMS[action](request.POST, prefix=action)
        if prefix
        else SignalResolveForm(request.POST)
    )
    bound: dict = {action: form} if prefix else {}
    member_form = None
    if action == DeskAction.REGISTER:
        member_form = MemberForm(request.POST, prefix="member")
        bound["member"] = member_form
    if form.is_valid() and (member_form is None or member_form.is_valid()):
        data = form.cleaned_data
        try:
            signal_resolve_service(
                actor=request.user,
                signal=signal,
                action=data["action"],
                household_number=data.get("household_number", ""),
                reason=data.get("reason", ""),
                resolution=data["resolution"],
                member=member_form.service_fields() if member_form is not None else None,
            )
        except ValidationError as error:
            on_member = member_form is not None and _about_member(error)
            add_service_errors(member_form if on_member else form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('signal-list')}?status={Signal.Status.UNMATCHED}")
    if signal.status != Signal.Status.UNMATCHED or prefix is None:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("signal-review", pk=signal.pk)
    return signal_review(request, pk, bound=bound)


def _about_member(error: ValidationError) -> bool:
    """A refusal about the person registered (their number, name, relation) belongs on the
    member's form."""
    fields = set(getattr(error, "error_dict", {}))
    return bool(fields) and fields <= {"id_number", "name", "relation", *MemberForm.base_fields}
