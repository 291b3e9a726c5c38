from django.contrib import admin

from monitoring.admin import PolicyAdmin
from pairings import selectors
from pairings import services as pairing_services
from pairings.models import PairingPolicy


@admin.register(PairingPolicy)
class PairingPolicyAdmin(PolicyAdmin):
    """The limits of paired assistance. A county officer sees the national row, their own and
    those above it (never a neighbour's), as with the visit cadences, and sets their county's
    through the service (as the page does); the national row is a system administrator's."""

    list_display = ["region", "max_households", "contact_every_days", "include_lifted_out"]
    fields = ["region", "max_households", "contact_every_days", "include_lifted_out"]
    raw_id_fields = ["region"]

    def get_queryset(self, request):
        return selectors.policies_visible_to(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request, obj=None):
        # The service saves by region: another region is another row, added as such.
        return ["region"] if obj is not None else []

    def save_through_service(self, user, obj):
        return pairing_services.pairing_policy_save(
            actor=user,
            region_code=obj.region_id,
            max_households=obj.max_households,
            contact_every_days=obj.contact_every_days,
            include_lifted_out=obj.include_lifted_out,
        )
