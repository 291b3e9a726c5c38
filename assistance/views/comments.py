"""Posting a note to a case's conversation (the thread is shown on the case page, and on a
partner's measure page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from assistance import selectors
from assistance.forms import CaseCommentForm
from assistance.services import comments as comment_services


@login_required
@permission_required("assistance.add_casecomment", raise_exception=True)
@require_POST
def case_comment_post(request, pk):
    case = selectors.case_in_conversation(user=request.user, pk=pk)
    form = CaseCommentForm(request.POST)
    if form.is_valid():
        try:
            comment_services.comment_post(
                actor=request.user, case=case, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The note is posted."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    if request.user.role == Role.PARTNER:
        measure = selectors.measures_visible_to(request.user).filter(case=case).first()
        if measure is not None:
            return redirect(reverse("measure-detail", args=[measure.pk]) + "#conversation")
    return redirect(reverse("case-detail", args=[case.pk]) + "#conversation")


def conversation_for(request, case) -> dict | None:
    """What a page shows of a case's conversation: nothing to a user who may not read it."""
    user = request.user
    if not selectors.cases_in_conversation(user).filter(pk=case.pk).exists():
        return None
    return {
        "case": case,
        "comments": selectors.case_comments(case),
        "form": CaseCommentForm() if user.has_perm("assistance.add_casecomment") else None,
    }
