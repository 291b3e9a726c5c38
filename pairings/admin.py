from django.contrib import admin

from core.admin import GuardedModelAdmin
from pairings import selectors
from pairings.models import PairingPolicy


@admin.register(PairingPolicy)
class PairingPolicyAdmin(GuardedModelAdmin):
    """The limits of paired assistance. A county officer sees the national row, their own and
    those above it (never a neighbour's), as with the visit cadences."""

    list_display = ["region", "max_households", "contact_every_days", "include_lifted_out"]
    raw_id_fields = ["region"]

    def get_queryset(self, request):
        return selectors.policies_visible_to(super().get_queryset(request), request.user)
