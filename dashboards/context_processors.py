from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.selectors import unread_notifications


def navigation(request):
    """The menu of the base layout: only what the user's role may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("home"))]
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
    if user.has_perm("assistance.view_partner"):
        items.append((_("Partners"), reverse("partner-list")))
    if user.has_perm("assistance.view_need"):
        items.append((_("Needs board"), reverse("need-list")))
    if user.has_perm("monitoring.view_signal"):
        items.append((_("Department signals"), reverse("signal-list")))
    if user.has_perm("monitoring.view_scanrun"):
        items.append((_("Scans"), reverse("scan-list")))
    if user.has_perm("monitoring.view_webhook"):
        items.append((_("Webhooks"), reverse("webhook-list")))
    if user.has_perm("audit.view_audit"):
        items.append((_("Audit trail"), reverse("audit-list")))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    items.append((_("API"), reverse("api-docs")))
    return {"nav_items": items, "unread_count": unread_notifications(user).count()}
