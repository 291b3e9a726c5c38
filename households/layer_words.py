"""The household's layer in words: each stored reason (monitoring.engine.layers) as a sentence
with its figures, for the household page and the API."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.display import money
from households.models import MonitoringCategory


def _category(code: str) -> str:
    return str(MonitoringCategory(code).label) if code in MonitoringCategory.values else ""


def reason_text(reason: dict) -> str:
    """One reason as a sentence; an unknown code as itself (a reason written by a newer release)."""
    code = str(reason.get("code", ""))
    if code == "tekun_member":
        count = int(reason.get("members", 0))
        return ngettext(
            "%(count)d member receives tekun support",
            "%(count)d members receive tekun support",
            count,
        ) % {"count": count}
    if code == "dibao_member":
        count = int(reason.get("members", 0))
        return ngettext(
            "%(count)d member receives dibao", "%(count)d members receive dibao", count
        ) % {"count": count}
    if code == "below_dibao":
        figures = {
            "income": money(reason.get("income")),
            "standard": money(reason.get("standard")),
            "year": reason.get("year", ""),
        }
        if reason.get("receiving", True):
            return (
                _("Per-capita income %(income)s is below the %(year)s dibao standard %(standard)s")
                % figures
            )
        return (
            _(
                "Per-capita income %(income)s is below the %(year)s dibao standard %(standard)s, "
                "and nobody in the household receives dibao: a case for civil affairs"
            )
            % figures
        )
    if code == "below_edge":
        return _(
            "Per-capita income %(income)s is below the dibao-edge line %(line)s "
            "(%(multiple)s times the %(year)s dibao standard)"
        ) % {
            "income": money(reason.get("income")),
            "line": money(reason.get("line")),
            "multiple": reason.get("multiple", ""),
            "year": reason.get("year", ""),
        }
    if code == "rigid_spending":
        return _(
            "After rigid spending of %(spending)s a year, %(left)s per person is left: below the "
            "dibao-edge line %(line)s"
        ) % {
            "spending": money(reason.get("spending")),
            "left": money(reason.get("left")),
            "line": money(reason.get("line")),
        }
    if code == "monitored":
        category = _category(str(reason.get("category", "")))
        if category:
            return _("Enrolled for monitoring as: %(category)s") % {"category": category}
        return _("Enrolled for monitoring")
    return code


def reason_texts(reasons) -> list[str]:
    return [reason_text(reason) for reason in reasons or () if isinstance(reason, dict)]
