"""The warning queue as a working list: its quick filters, the township then village choice of a
county, saved filters, and the bulk actions of its action bar. The filters themselves are
AlertFilter's (monitoring.filters), so the page, its Excel export and the API list the same rows."""

from urllib.parse import parse_qsl

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import FIELD_STAFF_ROLES
from accounts.selectors import saved_filters_of, users_overlapping, users_visible_to
from accounts.services import saved_filter_delete, saved_filter_save
from core.errors import EditConflict
from core.forms import add_service_errors
from core.pagination import numbered_page
from monitoring import selectors
from monitoring.engine.rules import RULES
from monitoring.filters import OLDER_THAN_CHOICES, QUICK_FILTERS
from monitoring.forms import BulkAlertForm, SavedFilterForm
from monitoring.models import ACTIVE_STATUSES, Alert
from monitoring.services import alerts as alert_services

PAGE_SIZE = 50
SAVED_LIST = "alerts"
# The most colleagues the action bar offers: a county's field staff, nearest first.
COLLEAGUES_MAX = 300


def _toggled(params, key: str, value: str) -> str:
    """The queue's query string with `key=value` switched on, or off when it is on already (the
    other filters kept, the page number dropped)."""
    params = params.copy()
    params.pop("page", None)
    if params.get(key) == value:
        params.pop(key)
    else:
        params[key] = value
    query = params.urlencode()
    return f"?{query}" if query else "?"


def _chips(params) -> list[dict]:
    chips = [
        {"label": label, "href": _toggled(params, key, "1"), "on": params.get(key) == "1"}
        for key, label in QUICK_FILTERS.items()
    ]
    for days in OLDER_THAN_CHOICES:
        chips.append(
            {
                "label": _("Over %(days)d days") % {"days": days},
                "href": _toggled(params, "older_than", str(days)),
                "on": params.get("older_than") == str(days),
            }
        )
    return chips


def bulk_colleagues(user, region: str = "", *, limit: int | None = COLLEAGUES_MAX):
    """Field staff a cadre may hand warnings to from the queue: of the cadre's region (or of the
    region the queue is narrowed to), the village workers first. The page offers at most `limit`;
    the action bar's POST is checked against them all (limit=None), since the page may have
    offered a colleague of a narrowed region. The service checks each warning against the
    colleague's region."""
    colleagues = users_visible_to(user).filter(is_active=True, role__in=FIELD_STAFF_ROLES)
    if region:
        colleagues = colleagues.filter(pk__in=users_overlapping([region]).values("pk"))
    nearest_first = Case(
        *(When(role=role, then=Value(rank)) for rank, role in enumerate(FIELD_STAFF_ROLES)),
        default=Value(len(FIELD_STAFF_ROLES)),
        output_field=IntegerField(),
    )
    # What the option says of each (its name and role), not the whole user with its region.
    colleagues = colleagues.only("pk", "username", "first_name", "last_name", "role").order_by(
        nearest_first, "region__code", "username"
    )
    return list(colleagues if limit is None else colleagues[:limit])


@login_required
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_queue(request, bulk_form=None, saved_form=None):
    params = request.GET
    alerts = selectors.alerts_listed(request.user, params)
    page = numbered_page(request, alerts, page_size=PAGE_SIZE)
    townships = list(selectors.alert_townships(request.user))
    region = params.get("region", "")
    township = region if any(t.code == region for t in townships) else ""
    if townships and not township:
        villages = []  # a county chooses a township first, then one of its villages
    elif township:
        villages = list(selectors.alert_villages_of(request.user, township))
    else:
        villages = list(selectors.alert_villages(request.user))
    can_manage = request.user.has_perm("monitoring.change_alert")
    village = params.get("village", "")
    if not (village.isascii() and village.isdigit() and len(village) == 12):
        village = ""  # the filter ignores what is no village's code; so does the bulk bar
    context = {
        "page": page,
        "townships": townships,
        "villages": villages,
        "reasons": [rule.code for rule in RULES] + ["self_report"],
        "statuses": [
            (s, label)
            for s, label in Alert._meta.get_field("status").choices
            if s in ACTIVE_STATUSES
        ],
        "selected": {
            "village": village,
            "reason": params.get("reason", ""),
            "status": params.get("status", ""),
            "township": township,
        },
        "kept": [
            (key, params.get(key))
            for key in ("mine", "unassigned", "to_confirm", "older_than")
            if params.get(key)
        ],
        "chips": _chips(params),
        "query": page.query,
        "saved_filters": saved_filters_of(request.user, SAVED_LIST),
        "saved_form": saved_form or SavedFilterForm(initial={"query": page.query}),
        "can_manage": can_manage,
    }
    if can_manage:
        context["bulk_form"] = bulk_form or BulkAlertForm(
            colleagues=bulk_colleagues(request.user, village or township)
        )
        # A refused action comes back with its rows still ticked, so the bar and its error show.
        context["ticked"] = {
            int(value.split(":")[0])
            for value in (bulk_form.data.getlist("alerts") if bulk_form is not None else ())
            if value.split(":")[0].isascii() and value.split(":")[0].isdigit()
        }
    status = 400 if bulk_form is not None or saved_form is not None else 200
    return render(request, "monitoring/alert_queue.html", context, status=status)


def _back(request) -> str:
    """Back to the queue as it was filtered (a local query string only)."""
    query = request.POST.get("query", "")
    url = f"{reverse('alert-queue')}?{query}" if query else reverse("alert-queue")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return reverse("alert-queue")
    return url


def _queue_again(request, **forms):
    """The queue re-shown, filtered as it was, with a refused form's errors."""
    request.GET = request.GET.copy()
    for key, value in (
        (k, v) for k, v in _query_pairs(request.POST.get("query", "")) if k != "page"
    ):
        request.GET[key] = value
    return alert_queue(request, **forms)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query[:1000])


# The most warning numbers a skipped-summary message lists; the rest are counted.
SKIPPED_IDS_SHOWN = 10


def _skipped_summary(skipped, action: str) -> list[str]:
    """One message per reason a bulk action skipped warnings, with their numbers, rather than a
    message per warning: "2 skipped, changed by someone else…: #12, #14"."""
    reasons = {
        "not_found": _("not in your region"),
        "stale": _("changed by someone else since the list was shown"),
        "wrong_state": _("not in a state to be assigned")
        if action == "assign"
        else _("not in a state to be dismissed"),
        "not_covered": _("outside the colleague's region"),
    }
    grouped: dict[str, list[int]] = {}
    whys: dict[str, str] = {}
    for alert_id, code, why in skipped:
        grouped.setdefault(code, []).append(alert_id)
        whys.setdefault(code, why)
    texts = []
    for code, ids in grouped.items():
        shown = _(", ").join(f"#{alert_id}" for alert_id in sorted(ids)[:SKIPPED_IDS_SHOWN])
        if len(ids) > SKIPPED_IDS_SHOWN:
            shown += _(" and %(n)d more") % {"n": len(ids) - SKIPPED_IDS_SHOWN}
        texts.append(
            _("%(n)d skipped, %(reason)s: %(ids)s")
            % {"n": len(ids), "reason": reasons.get(code, whys[code]), "ids": shown}
        )
    return texts


@login_required
@require_POST
@permission_required("monitoring.change_alert", raise_exception=True)
def alert_bulk(request):
    """The action bar: assign, or dismiss with one reason, the ticked warnings."""
    form = BulkAlertForm(request.POST, colleagues=bulk_colleagues(request.user, limit=None))
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "assign":
                outcome = alert_services.alerts_bulk_assign(
                    actor=request.user, items=data["alerts"], assignee_id=data["assignee"]
                )
            else:
                outcome = alert_services.alerts_bulk_dismiss(
                    actor=request.user, items=data["alerts"], reason=data["reason"]
                )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            done = len(outcome.done)
            if data["action"] == "assign":
                text = _("%(n)d warnings assigned.") % {"n": done}
            else:
                text = _("%(n)d warnings dismissed.") % {"n": done}
            messages.success(request, text)
            for text in _skipped_summary(outcome.skipped, data["action"]):
                messages.warning(request, text)
            return redirect(_back(request))
    return _queue_again(request, bulk_form=form)


@login_required
@require_POST
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_filter_save(request):
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        try:
            saved = saved_filter_save(
                actor=request.user,
                list_key=SAVED_LIST,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Filters saved as “%(name)s”.") % {"name": saved.name})
            return redirect(f"{reverse('alert-queue')}?{saved.query}")
    return _queue_again(request, saved_form=form)


@login_required
@require_POST
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_filter_delete(request, pk):
    if not saved_filter_delete(actor=request.user, saved_filter_id=pk):
        raise Http404  # another user's filter is as unknown as none at all
    messages.success(request, _("Saved filter deleted."))
    return redirect(_back(request))
