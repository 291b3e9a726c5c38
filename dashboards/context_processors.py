from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role
from monitoring.selectors import unread_notifications

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def reverse(name: str) -> str:
    """The menu's addresses, resolved once per process: every page draws the menu and the tab bar,
    about twenty addresses, and they change only with the URLconf or the script prefix."""
    return _reverse(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _reverse(name: str, _prefix: str, _urlconf: str) -> str:
    return django_reverse(name)


def nav_items_for(user) -> "list[tuple[StrOrPromise, str]]":
    """The full menu of the user's role: only what the role may open. The desktop's top menu and
    the phone's "more" page (dashboards.views.more) both show it."""
    items: list[tuple[StrOrPromise, str]] = [(_("Home"), reverse("home"))]
    if user.has_perm("dashboards.view_dashboard"):
        items.append((_("Dashboard"), reverse("dashboard")))
    if user.has_perm("households.view_household"):
        items.append((_("Households"), reverse("household-list")))
    if user.has_perm("monitoring.add_visit"):
        items.append((_("Visits"), reverse("visit-lists")))
    if user.has_perm("monitoring.view_alert"):
        items.append((_("Risk warnings"), reverse("alert-queue")))
    # Paired cadres: the township's figures for those who pair, a cadre's own households else.
    if user.has_perm("pairings.change_pairing"):
        items.append((_("Paired cadres"), reverse("pairing-overview")))
    elif user.has_perm("pairings.add_contact"):
        items.append((_("My paired households"), reverse("pairing-mine")))
    if user.has_perm("assistance.view_case"):
        items.append((_("Cases"), reverse("case-list")))
    if user.has_perm("assistance.view_measure"):
        items.append((_("Measures"), reverse("measure-list")))
    if user.has_perm("livelihoods.view_welfarepost"):
        items.append((_("Assistance continuing after the case"), reverse("continuing-measures")))
    elif user.has_perm("livelihoods.add_industrypayment"):
        # A partner's users: their own links with households, and what they paid.
        items.append((_("Enterprise–household links"), reverse("partner-links")))
    if user.has_perm("assistance.view_partner"):
        items.append((_("Partners"), reverse("partner-list")))
    if user.has_perm("assistance.view_need"):
        items.append((_("Needs board"), reverse("need-list")))
    if user.has_perm("monitoring.view_areaevent"):
        items.append((_("Area events"), reverse("area-event-list")))
    if user.has_perm("monitoring.view_signal"):
        items.append((_("Department signals"), reverse("signal-list")))
    if user.has_perm("assistance.view_civilaffairsroster"):
        items.append((_("Civil affairs rosters"), reverse("civil-affairs-roster-list")))
    if user.has_perm("monitoring.view_scanrun"):
        items.append((_("Scans"), reverse("scan-list")))
    if user.has_perm("backtests.view_backtestrun"):
        items.append((_("Backtests"), reverse("backtest-list")))
    if user.has_perm("monitoring.view_webhook"):
        items.append((_("Webhooks"), reverse("webhook-list")))
    if user.has_perm("audit.view_audit"):
        items.append((_("Audit trail"), reverse("audit-list")))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    return items


# The phone's bottom tab bar: each destination a tab may lead to, with the permission it needs.
# "today" is the home page, which opens on 今日待办 for field staff (dashboards.views.home).
TAB_DESTINATIONS = {
    "today": (pgettext_lazy("tab", "Today"), "home", None),
    "tasks": (pgettext_lazy("tab", "Tasks"), "home", None),
    "home": (pgettext_lazy("tab", "Home"), "home", None),
    "dashboard": (pgettext_lazy("tab", "Dashboard"), "dashboard", "dashboards.view_dashboard"),
    "households": (
        pgettext_lazy("tab", "Households"),
        "household-list",
        "households.view_household",
    ),
    "visit": (pgettext_lazy("tab", "Record a visit"), "visit-lists", "monitoring.add_visit"),
    "alerts": (pgettext_lazy("tab", "Warnings"), "alert-queue", "monitoring.view_alert"),
    "cases": (pgettext_lazy("tab", "Cases"), "case-list", "assistance.view_case"),
    "measures": (pgettext_lazy("tab", "Measures"), "measure-list", "assistance.view_measure"),
    "needs": (pgettext_lazy("tab", "Needs"), "need-list", "assistance.view_need"),
    "audit": (pgettext_lazy("tab", "Audit trail"), "audit-list", "audit.view_audit"),
}
# Three or four destinations per role, the one used most first; a tab the user may not open
# (permissions are per group and may be changed) is left out.
TABS_OF_ROLE = {
    Role.VILLAGE_WORKER: ("today", "households", "visit", "alerts"),
    Role.TOWNSHIP_CADRE: ("tasks", "alerts", "cases", "households"),
    Role.COUNTY_OFFICER: ("home", "cases", "alerts", "households"),
    Role.PARTNER: ("home", "needs", "measures"),
    Role.AUDITOR: ("home", "audit", "cases", "households"),
}
DEFAULT_TABS = ("home", "households", "cases")


def _is_current(path: str, url: str) -> bool:
    """The tab of the page: the home page only on itself, another tab on its pages below it."""
    if url == reverse("home"):
        return path == url or path == reverse("task-list")
    return path.startswith(url)


def tab_items_for(user, path: str = "") -> list[dict]:
    """The bottom tab bar of the user's role: label, url and whether it is the current page."""
    tabs = []
    for key in TABS_OF_ROLE.get(user.role, DEFAULT_TABS):
        label, url_name, permission = TAB_DESTINATIONS[key]
        if permission and not user.has_perm(permission):
            continue
        url = reverse(url_name)
        tabs.append({"key": key, "label": label, "url": url, "current": _is_current(path, url)})
    return tabs[:4]


def back_url_for(path: str, items) -> str:
    """Where the top bar's back link leads: the menu entry the page lies under (a household's
    page → the household list), the home page else; none on the pages of the menu themselves
    and on the home page."""
    urls = [url for _label, url in items]
    if path in urls or path in (reverse("more"), reverse("task-list")):
        return ""
    below = [url for url in urls if url != reverse("home") and path.startswith(url)]
    return max(below, key=len) if below else reverse("home")


def navigation(request):
    """The shell of the base layout: the menu (desktop), the tab bar and back link (phone)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "tab_items": []}
    items = nav_items_for(user)
    path = request.path
    return {
        # The desktop's menu has the API's documentation; the phone shows it on the "more" page.
        "nav_items": [*items, (_("API"), reverse("api-docs"))],
        "tab_items": tab_items_for(user, path),
        "back_url": back_url_for(path, items),
        "unread_count": unread_notifications(user).count(),
    }
