from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    """The menu of the base layout: only what the user's role may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("home"))]
    if user.has_perm("households.view_household"):
        items.append((_("Households"), reverse("household-list")))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    items.append((_("API"), reverse("api-docs")))
    return {"nav_items": items}
