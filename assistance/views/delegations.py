"""The delegations page: who takes which steps where, for how long; given and revoked here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistance import selectors
from assistance.forms import DelegationForm
from assistance.models import DELEGABLE_PERMISSIONS
from assistance.services import delegations as delegation_services
from assistance.views.common import PAGE_SIZE, attempt
from core.pagination import numbered_page
from households.models import Region
from households.selectors import regions_within


def _form(request, data=None) -> DelegationForm:
    user = request.user
    regions = regions_within(user).filter(level__in=[Region.Level.TOWNSHIP, Region.Level.VILLAGE])
    permissions = [
        (key, label)
        for key, label in DELEGABLE_PERMISSIONS.items()
        if delegation_services.may_hand_on(user, key)
    ]
    # Only who can be given one of these steps: a village worker takes the village's by its
    # own role, so offering one would only earn a refusal.
    receivers = [
        u
        for u in selectors.delegates_for(user).exclude(pk=user.pk)
        if not u.partner_id
        and any(delegation_services.role_may_receive(u.role, key) for key, _label in permissions)
    ]
    return DelegationForm(
        data,
        delegates=[(u.pk, f"{u.display_name} · {u.get_role_display()}") for u in receivers],
        permissions=permissions,
        regions=[(r.code, f"{r.name} ({r.get_level_display()})") for r in regions],
        initial={"starts_on": timezone.localdate()},
    )


@login_required
@permission_required("assistance.view_delegation", raise_exception=True)
def delegation_list(request):
    may_delegate = request.user.has_perm("assistance.add_delegation")
    form = _form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_delegate:
            raise PermissionDenied

        def create(data):
            delegation_services.delegation_create(
                actor=request.user,
                delegate_id=data["delegate"],
                permission=data["permission"],
                region_code=data["region"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )

        if attempt(form, create):
            messages.success(request, _("The delegation is given."))
            return redirect("delegation-list")
    today = timezone.localdate()
    delegations = selectors.delegations_visible_to(request.user).order_by("-starts_on", "-pk")
    page = numbered_page(request, delegations, page_size=PAGE_SIZE)
    for delegation in page.object_list:
        delegation.in_force = (
            delegation.revoked_at is None and delegation.starts_on <= today <= delegation.ends_on
        )
        delegation.may_revoke = (
            may_delegate and delegation.revoked_at is None and delegation.ends_on >= today
        )
    return render(
        request,
        "assistance/delegation_list.html",
        {
            "page": page,
            "form": form if may_delegate else None,
            "no_delegate": may_delegate and len(form.fields["delegate"].choices) <= 1,
            "today": today,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("assistance.add_delegation", raise_exception=True)
@require_POST
def delegation_revoke(request, pk):
    delegation = selectors.delegation_get(user=request.user, pk=pk)
    try:
        delegation_services.delegation_revoke(actor=request.user, delegation=delegation)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The delegation is revoked."))
    return redirect("delegation-list")
