"""Reads of the prevention insurance claims."""

from django.db.models import QuerySet
from django.http import Http404

from core.scope import Scope
from livelihoods.models import InsuranceClaim


def claims_visible_to(user) -> QuerySet[InsuranceClaim]:
    scope = Scope.of(user)
    if scope.sees_nothing or not user.has_perm("livelihoods.view_insuranceclaim"):
        return InsuranceClaim.objects.none()
    return InsuranceClaim.objects.filter(scope.q("household__village__code"))


def claim_get(*, user, pk) -> InsuranceClaim:
    try:
        return claims_visible_to(user).select_related("household").get(pk=pk)
    except (InsuranceClaim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
