"""The search box of the working lists (households, cases, measures) when it is sent by POST.

A list's filters travel in its query string, so that a list can be linked, reloaded and walked
page by page. An ID number must not: a query string lands in the browser's history, in proxies'
and servers' access logs and in the Referer of the next page. So each list's filter form is a
POST to the list itself:

- an ID number typed in the search box is looked up through its keyed hash (the look-up recorded
  and counted, households.services.id_number_search) and the list is answered in place, the
  number shown masked and never in a link or the address;
- anything else is sent back to the list's address with the filters in the query string (a
  303), so the page without JavaScript reads as it always did. With JavaScript the form asks by
  GET as the user types, and by POST only for an ID number (static/js/list-filter.js).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.utils.translation import gettext as _

from core.id_like import id_like, normalised
from core.masking import mask_id_number
from households import services
from households.selectors import looks_like_id_number

SEARCH_FIELD = "q"


def id_like_query_redirect(request) -> HttpResponseRedirect | None:
    """A GET whose search holds something ID-like: the same list without the search (the other
    filters kept), before anything renders or links it."""
    if request.method != "GET" or not any(id_like(v) for v in request.GET.getlist(SEARCH_FIELD)):
        return None
    params = request.GET.copy()
    params.pop(SEARCH_FIELD)
    query = params.urlencode()
    return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))


@dataclass
class ListSearch:
    params: QueryDict  # the list's filters, the search box emptied when it held an ID number
    id_number_hash: str = ""  # set when the search box held an ID number, looked up
    masked: str = ""  # that number masked (620423********1234), for the page to say what it shows
    errors: list[str] = field(default_factory=list)
    redirect_query: str | None = None  # not an ID number: the list's address with these filters

    @property
    def by_id_number(self) -> bool:
        return bool(self.masked)

    @property
    def refused(self) -> bool:
        """An ID search that did not run (a wrong number, a role that may not, the allowance
        spent): the list shows nothing rather than everything."""
        return self.by_id_number and not self.id_number_hash


def list_search_from_post(request) -> ListSearch:
    params = request.POST.copy()
    params.pop("csrfmiddlewaretoken", None)
    text = params.get(SEARCH_FIELD, "").strip()
    if not id_like(text):
        return ListSearch(params=params, redirect_query=params.urlencode())
    params.pop(SEARCH_FIELD)
    text = normalised(text).upper()
    if not looks_like_id_number(text):
        # Not the shape of an ID number, yet too like one to be put in an address.
        return ListSearch(
            params=params,
            masked=mask_id_number(text),
            errors=[_("This is not a valid ID number.")],
        )
    search = ListSearch(params=params, masked=mask_id_number(text))
    try:
        search.id_number_hash = services.id_number_search(actor=request.user, id_number=text)
    except PermissionDenied:
        search.errors.append(_("Your role may not search by ID number."))
    except ValidationError as error:
        search.errors.extend(error.messages)
    return search


@dataclass
class ListRequest:
    """What a working list's door reads first: its parameters, its search (None on a GET), or
    the redirect that answers before anything renders."""

    params: QueryDict
    search: ListSearch | None = None
    redirect: HttpResponseRedirect | None = None


def list_request(request, list_url: str) -> ListRequest:
    """The prelude of the household, case and measure lists: an ID-like value in the address is
    dropped (a redirect), a POSTed search is checked, and one without an ID number goes back to
    the address with its filters (a redirect, unless htmx asked)."""
    if (dropped := id_like_query_redirect(request)) is not None:
        return ListRequest(params=request.GET, redirect=dropped)
    if request.method != "POST":
        return ListRequest(params=request.GET)
    search = list_search_from_post(request)
    if search.redirect_query is not None and not request.htmx:
        return ListRequest(
            params=search.params,
            search=search,
            redirect=HttpResponseRedirect(f"{list_url}?{search.redirect_query}"),
        )
    return ListRequest(params=search.params, search=search)
