"""A record's attached files and the form that adds one, for the owners' pages (a visit, a
warning, a case step, a measure). The page has already read the record through its own scoped
selector; the tag asks evidence's selectors what of it this user may see and do."""

from django import template

from evidence import selectors
from evidence.forms import EvidenceForm

register = template.Library()


@register.inclusion_tag("evidence/evidence_section.html", takes_context=True)
def evidence_section(context, kind: str, owner, compact: bool = False):
    request = context["request"]
    user = request.user
    files = list(selectors.evidence_of_owner(user=user, kind=kind, owner_id=owner.pk))
    can_attach = selectors.may_attach(user=user, kind=kind, owner_id=owner.pk)
    return {
        "kind": kind,
        "owner": owner,
        "files": files,
        "compact": compact,
        "can_attach": can_attach,
        "form": EvidenceForm(auto_id=f"id_evidence_{kind}_{owner.pk}_%s") if can_attach else None,
        "sees_location": selectors.sees_location(user),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
