from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from core.applied_filters import applied_filters
from core.display import data as marked_data
from core.errors import EditConflict
from core.forms import add_service_errors
from core.masking import age_this_year, mask_account, mask_phone
from core.pagination import bounded_page
from households import layer_words, selectors, services
from households.filters import HouseholdPageFilter
from households.forms import (
    HouseholdForm,
    HouseholdMergeForm,
    HouseholdSplitForm,
    MemberForm,
    MemberMoveForm,
    UnmaskForm,
)
from households.history import history_rows, page_related_names
from households.hub import household_hub, trend_chart
from households.list_search import list_request

PAGE_SIZE = 50
# Exact counts up to here: a village, or a township's households at one risk level, is counted
# exactly; a township's whole register shows "more than 1,000" and costs what 1,000 rows cost.
# The exact totals by township and level are on the dashboard, counted ahead.
COUNT_CAP = 1000
# The newest changes a household's history shows.
HISTORY_ROWS = 50


@login_required
@permission_required("households.view_household", raise_exception=True)
@require_http_methods(["GET", "POST"])
def household_list(request):
    """The register as a working list. Its filters come in the query string; the search box's
    form is sent by POST so that an ID number typed in it never is (households.list_search)."""
    listing = list_request(request, reverse("household-list"))
    if listing.redirect is not None:
        return listing.redirect  # no ID number is rendered, linked or kept from an address
    search, params = listing.search, listing.params
    filterset = HouseholdPageFilter(
        params,
        queryset=selectors.households_listed(request.user).select_related("village"),
        request=request,
    )
    households = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    if search is not None and search.refused:
        households = households.none()  # a refused ID search lists nothing, never everything
    elif search is not None and search.by_id_number:
        households = selectors.id_number_search(households, search.id_number_hash)
    # Page numbers up to 1,000 households (a village; a township at one risk level); beyond,
    # keyset pages in the filter's order: the page 2,000 rows down costs what the first costs,
    # and the count stops at 1,000 (see core.pagination.bounded_page).
    page = bounded_page(
        request, households, page_size=PAGE_SIZE, count_cap=COUNT_CAP, params=params
    )
    template = (
        "households/household_rows.html" if request.htmx else "households/household_list.html"
    )
    response = render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query": page.query,
            "search": search,
            "applied": applied_filters(filterset, params),
        },
        status=400 if page.invalid_cursor else 200,
    )
    if request.method == "POST":
        # Whatever a POST searched stays out of the address bar and the history.
        response["HX-Push-Url"] = "false"
    return response


@login_required
@permission_required("households.view_household", raise_exception=True)
def household_detail(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    return render(request, "households/household_detail.html", _detail_context(request, household))


@login_required
@permission_required("households.view_household", raise_exception=True)
@require_safe
@vary_on_headers("HX-Request")  # the fold's fragment, or a page of its own
def household_history(request, pk):
    """The household's recorded changes, read when its page's History fold is first opened
    (htmx) or followed as a link: most reads of a household page never open it, and it was the
    page's costliest statement (a union over every table of events that refers to a household)."""
    household = selectors.household_get(user=request.user, pk=pk)
    members = list(household.members.all())
    related = page_related_names(user=request.user, household=household, members=members)
    history = history_rows(
        selectors.household_history(household=household, viewer=request.user)[:HISTORY_ROWS],
        viewer=request.user,
        related=related,
    )
    template = "history_list.html" if request.htmx else "households/household_history.html"
    return render(request, template, {"household": household, "history": history})


def _detail_context(request, household, unmasked=None, unmask_form=None):
    members = list(household.members.order_by("status", "id"))
    today = timezone.localdate()
    for member in members:
        # An age, never the birth date: the date is what the ID number's mask hides.
        member.age = age_this_year(member.birth_date, today=today)
    if unmasked is not None:
        # Shown in place, row by row, for this one response only.
        full = {member.member_id: member for member in unmasked.members}
        for member in members:
            member.unmasked = full.get(member.pk)
    # Read first so that the timeline's registry changes name the household, its village and
    # its members from the rows above rather than reading them again (households.hub.shared_read).
    page_related_names(user=request.user, household=household, members=members)
    # The hub: what the apps above contribute (households.hub), each through its own selectors,
    # so the timeline, the risk and the buttons show only what this viewer may see and do.
    hub = household_hub(user=request.user, household=household, kind=request.GET.get("kind", ""))
    return {
        "household": household,
        "hub": hub,
        "layer_reasons": layer_words.reason_texts(household.layer_reasons),
        "income_trend": trend_chart(hub.trend),
        "phone_masked": mask_phone(household.phone),
        "bank_account_masked": mask_account(household.bank_account),
        "members": members,
        "has_active_members": any(member.status == "active" for member in members),
        "can_split": request.user.has_perm("households.add_household")
        and request.user.has_perm("households.change_member"),
        "can_merge": request.user.has_perm("households.change_member"),
        "can_unmask": request.user.has_perm("households.unmask_sensitive"),
        "can_edit": request.user.has_perm("households.change_household"),
        "unmask_form": unmask_form or UnmaskForm(),
        "unmasked": unmasked,
    }


@login_required
@require_POST
def household_unmask(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    form = UnmaskForm(request.POST)
    unmasked = None
    if form.is_valid():
        try:
            unmasked = services.sensitive_unmask(
                actor=request.user,
                household=household,
                reason=form.cleaned_data["reason"],
                channel="page",
            )
        except ValidationError as error:
            add_service_errors(form, error)
    context = _detail_context(request, household, unmasked=unmasked, unmask_form=form)
    response = render(request, "households/household_detail.html", context)
    response["Cache-Control"] = "no-store"  # never keep unmasked data in a browser cache
    return response


@login_required
@permission_required("households.add_household", raise_exception=True)
def household_create(request):
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            household = services.household_create(
                actor=request.user, village_code=data.pop("village"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Household %(number)s registered.") % {"number": household.number}
            )
            return redirect("household-detail", pk=household.pk)
    return render(request, "households/household_form.html", {"form": form})


@login_required
@permission_required("households.change_household", raise_exception=True)
def household_edit(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=request.user,
                household=household,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except EditConflict as conflict:
            add_service_errors(form, conflict)
        else:
            messages.success(request, _("Saved."))
            return redirect("household-detail", pk=household.pk)
    return render(request, "households/household_form.html", {"form": form, "household": household})


@login_required
@permission_required("households.add_member", raise_exception=True)
def member_create(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            services.member_create(actor=request.user, household_id=household.pk, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Member added."))
            return redirect("household-detail", pk=household.pk)
    return render(request, "households/member_form.html", {"form": form, "household": household})


@login_required
@permission_required("households.change_member", raise_exception=True)
def member_edit(request, pk):
    member = selectors.member_get(user=request.user, pk=pk)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_update(
                actor=request.user,
                member=member,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except EditConflict as conflict:
            add_service_errors(form, conflict)
        else:
            messages.success(request, _("Saved."))
            return redirect("household-detail", pk=member.household_id)
    return render(
        request,
        "households/member_form.html",
        {"form": form, "household": member.household, "member": member},
    )


def _life_event_page(request, form, *, household, title, member=None, heading=None):
    # heading: the title with its data marked (core.display.data), for the page's <h1>.
    return render(
        request,
        "households/life_event_form.html",
        {
            "form": form,
            "household": household,
            "member": member,
            "title": title,
            "heading": heading or title,
        },
    )


@login_required
@permission_required("households.change_member", raise_exception=True)
def member_move(request, pk):
    member = selectors.member_get(user=request.user, pk=pk)
    form = MemberMoveForm(request.POST or None, member=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.member_move(
                actor=request.user,
                member=member,
                version=data["version"],
                household_id=data["household_number"],
                relation=data["relation"],
                changed_on=data.get("changed_on"),
                new_head_id=data.get("new_head") or None,
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s moved.") % {"name": member.name})
            return redirect("household-detail", pk=moved.household_id)
    title = _("Move %(name)s to another household") % {"name": member.name}
    heading = mark_safe(  # noqa: S308 - the words escaped, the name escaped by marked_data()
        conditional_escape(_("Move %(name)s to another household"))
        % {"name": marked_data(member.name)}
    )
    return _life_event_page(
        request, form, household=member.household, title=title, member=member, heading=heading
    )


@login_required
@permission_required("households.add_household", raise_exception=True)
@permission_required("households.change_member", raise_exception=True)
def household_split(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    form = HouseholdSplitForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            split_off = services.household_split(
                actor=request.user, household=household, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Household %(number)s set up.") % {"number": split_off.number}
            )
            return redirect("household-detail", pk=split_off.pk)
    return _life_event_page(request, form, household=household, title=_("Split the household"))


@login_required
@permission_required("households.change_member", raise_exception=True)
def household_merge(request, pk):
    household = selectors.household_get(user=request.user, pk=pk)
    form = HouseholdMergeForm(request.POST or None, household=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.household_merge(
                actor=request.user,
                household=household,
                other_household_id=int(data["other_household"]),
                head_relation=data["head_relation"],
                changed_on=data.get("changed_on"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Households merged."))
            return redirect("household-detail", pk=household.pk)
    return _life_event_page(request, form, household=household, title=_("Merge a household in"))
