"""The lists that export to Excel: for each, who may export it, its rows, its columns and its
title. An export, in the request or by the worker, reads its rows through the very selector and
filters of its page (spreadsheets/selectors.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from spreadsheets import exports, selectors


@dataclass(frozen=True)
class ExportableList:
    permission: str
    rows: Callable[[HttpRequest], QuerySet]
    resource: type[exports.ListResource]
    title: Promise
    list_url: str


EXPORTABLE = {
    "households": ExportableList(
        "households.view_household",
        selectors.household_rows,
        exports.HouseholdExport,
        gettext_lazy("Households"),
        "household-list",
    ),
    "visits": ExportableList(
        "monitoring.view_visit",
        selectors.visit_rows,
        exports.VisitExport,
        gettext_lazy("Visits"),
        "visit-lists",
    ),
    "alerts": ExportableList(
        "monitoring.view_alert",
        selectors.alert_rows,
        exports.AlertExport,
        gettext_lazy("Risk warnings"),
        "alert-queue",
    ),
    "cases": ExportableList(
        "assistance.view_case",
        selectors.case_rows,
        exports.CaseExport,
        gettext_lazy("Cases"),
        "case-list",
    ),
    "measures": ExportableList(
        "assistance.view_measure",
        selectors.measure_rows,
        exports.MeasureExport,
        gettext_lazy("Measures"),
        "measure-list",
    ),
    "partners": ExportableList(
        "assistance.view_partner",
        selectors.partner_rows,
        exports.PartnerExport,
        gettext_lazy("Partners"),
        "partner-list",
    ),
}


def as_asked_by(user, query: str) -> HttpRequest:
    """The list page's request as `user` sent it with `query`: what the worker reads a job's
    rows through, so that they are the rows the page would show the user, in the user's scope
    when the worker writes them."""
    request = HttpRequest()
    request.user = user
    request.GET = QueryDict(query)
    return request
