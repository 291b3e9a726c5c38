"""The audit trail page, for county officers and auditors of their own region."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit import selectors
from audit.forms import AuditFilterForm
from audit.rows import audit_rows
from core.pagination import PagerLinks

CURSOR = "cursor"


@login_required
@permission_required("audit.view_audit", raise_exception=True)
def audit_list(request):
    params = request.GET.copy()
    cursor = params.pop(CURSOR, [None])[-1]
    form = AuditFilterForm(params)
    status = 200
    error = ""
    rows, next_query = [], None
    if not form.is_valid():
        status = 400
    else:
        try:
            page = selectors.audit_events(user=request.user, filters=form.filters(), cursor=cursor)
        except selectors.InvalidCursor:
            status = 400
            error = _("This page link is not valid for this list any more.")
        else:
            rows = audit_rows(page, viewer=request.user)
            if page.next_cursor:
                with_cursor = params.copy()
                with_cursor[CURSOR] = page.next_cursor
                next_query = with_cursor.urlencode()
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "rows": rows,
            "page": PagerLinks(
                next_query=next_query, first_query=params.urlencode() if cursor else None
            ),
            "error": error,
        },
        status=status,
    )
