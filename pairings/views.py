import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import EditConflict
from core.forms import add_service_errors
from households.selectors import household_get
from pairings import selectors, services
from pairings.forms import AssignForm, ContactForm, PairingPolicyForm
from pairings.models import ContactKind, PairingPolicy


@login_required
@permission_required("pairings.view_pairing", raise_exception=True)
def pairing_mine(request):
    """我的结对户: the cadre's households, most overdue first, each with a quick contact form."""
    today = timezone.localdate()
    rows = selectors.households_of_cadre(user=request.user, as_of=today)
    return render(
        request,
        "pairings/pairing_mine.html",
        {
            # Each row's quick form carries its own client id, made here, so a form sent twice
            # records one contact.
            "rows": [(row, uuid.uuid4()) for row in rows],
            "overdue": sum(1 for row in rows if row.overdue),
            "today": today,
            "can_record": request.user.has_perm("pairings.add_contact"),
            "kinds": ContactKind.choices,
        },
    )


@login_required
@permission_required("pairings.change_pairing", raise_exception=True)
def pairing_overview(request):
    """The three figures of the user's township or county."""
    kpis = selectors.pairing_kpis(user=request.user, as_of=timezone.localdate())
    return render(request, "pairings/pairing_overview.html", {"kpis": kpis})


@login_required
@permission_required("pairings.add_contact", raise_exception=True)
def contact_create(request, pk):
    household = household_get(user=request.user, pk=pk)
    pairing = selectors.open_pairing_of(household)
    form = ContactForm(request.POST or None, initial={"contacted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            # A form sent twice carries the same client id: the second send is the first's
            # contact, and the page goes on as if it had recorded it.
            services.contact_record(
                actor=request.user, household_id=household.pk, **form.cleaned_data
            )
        except ValidationError as error:
            if "client_uuid" in getattr(error, "error_dict", {}):
                # The form was saved already, and has been changed since (the browser's back
                # button): say so, with a new client id, so that saving again records this one.
                form.data = form.data.copy()
                form.data["client_uuid"] = str(uuid.uuid4())
                form.add_error(
                    None,
                    _(
                        "This form was saved already with other content. Check the household's "
                        "contacts; to record this as another contact, save again."
                    ),
                )
            else:
                add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Contact with household %(number)s (%(head)s) recorded.")
                % {"number": household.number, "head": household.head_name},
            )
            if request.POST.get("next") == "mine":
                return redirect("pairing-mine")
            return redirect("household-detail", household.pk)
    return render(
        request,
        "pairings/contact_form.html",
        {"household": household, "pairing": pairing, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("pairings.add_pairing", raise_exception=True)
def pairing_assign(request, pk):
    household = household_get(user=request.user, pk=pk)
    current = selectors.open_pairing_of(household)
    cadres = selectors.cadres_for(household)
    form = AssignForm(request.POST or None, cadres=cadres, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_assign(
                actor=request.user,
                household_id=household.pk,
                cadre_id=form.cleaned_data["cadre"],
                version=form.cleaned_data["version"],
                end_reason=form.cleaned_data["end_reason"] or "handover",
                end_note=form.cleaned_data["end_note"],
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            return redirect("household-detail", household.pk)
    return render(
        request,
        "pairings/pairing_assign.html",
        {
            "household": household,
            "current": current,
            "form": form,
            "title": _("Hand over") if current else _("Pair a cadre"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("pairings.change_pairingpolicy", raise_exception=True)
def pairing_policy_edit(request):
    """The limits of paired assistance of the officer's own county (the national row is the
    system administrator's, in the admin); the rows above it are shown for reference."""
    current = selectors.policy_for(request.user.region_id)
    form = PairingPolicyForm(request.POST or None, initial=current.__dict__)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_policy_save(
                actor=request.user, region_code=request.user.region_id, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The limits of paired assistance are saved."))
            return redirect("pairing-policy")
    rows = selectors.policies_visible_to(
        PairingPolicy.objects.select_related("region"), request.user
    ).order_by("region_id")
    return render(
        request, "pairings/pairing_policy.html", {"form": form, "rows": rows, "current": current}
    )
