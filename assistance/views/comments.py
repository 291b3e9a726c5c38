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

# The session keys of a refused note, shown again in the thread's form after the redirect.
DRAFT = "case_note_draft"
DRAFT_ERRORS = "case_note_draft_errors"
MAX_DRAFT = comment_services.MAX_LENGTH + 100


@login_required
@permission_required("assistance.add_casecomment", raise_exception=True)
@require_POST
def case_comment_post(request, pk):
    case = selectors.case_in_conversation(user=request.user, pk=pk)
    form = CaseCommentForm(request.POST)
    refused: list[str] = []
    if form.is_valid():
        try:
            comment_services.comment_post(
                actor=request.user, case=case, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            refused = list(error.messages)
        else:
            messages.success(request, _("The note is posted."))
    else:
        refused = [message for errors in form.errors.values() for message in errors]
    if refused:
        # Back to the thread with the note as written and why it was refused, beside the field:
        # a mistyped @name must not cost the writer the note. A note refused for a long number
        # (an ID number, a phone) is not kept, not even in the session.
        text = request.POST.get("text", "")[:MAX_DRAFT]
        if comment_services.LONG_NUMBER.search(text):
            text = ""
        request.session[DRAFT] = {"case": case.pk, "text": text}
        request.session[DRAFT_ERRORS] = refused
    if request.user.role == Role.PARTNER:
        measure = selectors.measures_visible_to(request.user).filter(case=case).first()
        if measure is not None:
            return redirect(reverse("measure-detail", args=[measure.pk]) + "#conversation")
    return redirect(reverse("case-detail", args=[case.pk]) + "#conversation")


def _note_form(request, case) -> CaseCommentForm:
    """An empty note form, or the note just refused on this case with its errors (once)."""
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict) or draft.get("case") != case.pk:
        return CaseCommentForm()
    errors = request.session.pop(DRAFT_ERRORS, [])
    request.session.pop(DRAFT, None)
    form = CaseCommentForm({"text": str(draft.get("text", ""))})
    form.full_clean()
    for message in errors:
        if message not in form.errors.get("text", []):
            form.add_error("text", message)
    return form


def conversation_for(request, case) -> dict | None:
    """What a page shows of a case's conversation: nothing to a user who may not read it."""
    user = request.user
    if not selectors.cases_in_conversation(user).filter(pk=case.pk).exists():
        return None
    return {
        "case": case,
        "comments": selectors.case_comments(case),
        "form": _note_form(request, case) if user.has_perm("assistance.add_casecomment") else None,
    }
