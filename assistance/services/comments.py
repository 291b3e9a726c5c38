"""A case's conversation: notes from everyone who may see the case, and `@` mentions.

Partners with a measure on the case read and write here, with their usual limits, so a note may
not carry a long run of digits (an ID number, a phone, a bank account): it is refused, not masked,
so that nothing of the kind is ever stored. A mention names a user who may read the
conversation; they get a notification, and the mention stays unanswered until they write.
"""

import re

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assistance.models import RETURNED_REFERRALS, Case, CaseComment, CaseMention, Measure
from assistance.selectors import cases_in_conversation, users_in_conversation
from monitoring.services.notifications import notify

# Eleven digits or more, a short run of spaces, dashes, dots or slashes between them allowed
# (as a number is written to dodge a check): a mobile phone, an 18-character ID number (its
# last character may be X), a bank card.
LONG_NUMBER = re.compile(r"\d(?:[\s\u3000.\-/]{0,2}\d){10,}|\d{17}[Xx]")
MENTION = re.compile(r"@([\w.\-]+)")
MAX_LENGTH = 2000


def _mentioned(case: Case, text: str, author: User) -> list[User]:
    handles = list(dict.fromkeys(MENTION.findall(text)))
    if not handles:
        return []
    readers = list(users_in_conversation(case))
    found: list[User] = []
    unknown = []
    for handle in handles:
        user = next((u for u in readers if u.username == handle), None) or next(
            (u for u in readers if handle in (u.display_name, f"{u.last_name}{u.first_name}")),
            None,
        )
        if user is None:
            unknown.append(handle)
        elif user.pk != author.pk and user not in found:
            found.append(user)
    if unknown:
        raise ValidationError(
            {
                "text": _("No one called @%(name)s may read this case's conversation.")
                % {"name": ", @".join(unknown)}
            },
            code="unknown_mention",
        )
    return found


def _link_for(user: User, case: Case) -> str:
    """Where a mentioned user reads the thread: the case, or a partner's measure on it."""
    if user.role == Role.PARTNER and user.partner_id is not None:
        measure = (
            Measure.objects.filter(case=case, partner_id=user.partner_id)
            .exclude(referral_status__in=RETURNED_REFERRALS)
            .first()
        )
        if measure is not None:
            return reverse("measure-detail", args=[measure.pk]) + "#conversation"
    return reverse("case-detail", args=[case.pk]) + "#conversation"


def comment_post(*, actor: User, case: Case, text: str) -> CaseComment:
    """Write a note in a case's conversation; notify the users it mentions."""
    if not actor.has_perm("assistance.add_casecomment"):
        raise PermissionDenied(_("Your role may not write in a case's conversation."))
    text = (text or "").strip()
    if len(text) < 2:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"text": _("A note has at most %(count)d characters.") % {"count": MAX_LENGTH}}
        )
    if LONG_NUMBER.search(text):
        raise ValidationError(
            {
                "text": _(
                    "A note may not hold an ID number, a phone or a bank account number: "
                    "partners read this conversation."
                )
            },
            code="personal_number",
        )
    with transaction.atomic(), pghistory.context(user=actor.pk):
        seen = cases_in_conversation(actor).select_related("household").filter(pk=case.pk).first()
        if seen is None:
            raise PermissionDenied(_("This case is outside your region."))
        mentioned = _mentioned(seen, text, actor)
        comment = CaseComment.objects.create(case=seen, author=actor, text=text)
        CaseMention.objects.bulk_create(
            CaseMention(comment=comment, user=user) for user in mentioned
        )
        # Writing in the thread answers what the author was asked in it.
        CaseMention.objects.filter(
            user=actor, comment__case=seen, answered_at__isnull=True
        ).exclude(comment=comment).update(answered_at=timezone.now())
        for user in mentioned:  # each their own link: a partner's is its measure page
            notify(
                [user],
                key="case_mention",
                arguments={"author": actor.display_name, "number": seen.household.number},
                link=_link_for(user, seen),
            )
    return comment
