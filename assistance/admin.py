from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assistance import selectors
from assistance.models import Case, Measure, Need, Partner, PartnerOffer
from core.masking import mask_phone
from monitoring.admin import ReadOnlyAdmin

# Cases, measures and partners change through their services (pages and API), which check
# roles, steps and versions; the admin shows them, scoped like everything else.


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    selector = selectors.cases_visible_to
    list_display = ["household", "category", "status", "proposed_on", "enrolled_on"]
    list_filter = ["status", "category", "origin"]
    list_select_related = ["household"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    selector = selectors.measures_visible_to
    list_display = ["title", "kind", "partner", "status", "planned_start"]
    list_filter = ["status", "kind"]
    list_select_related = ["partner"]


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    selector = selectors.partners_visible_to
    list_display = ["name", "kind", "department", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    # The contact phone is often a person's own mobile: masked here, as in every list and form
    # (the partner's page shows it in full to those who may read it).
    exclude = ["contact_phone"]
    readonly_fields = ["masked_contact_phone"]

    @admin.display(description=_("Contact phone"))
    def masked_contact_phone(self, partner: Partner) -> str:
        return mask_phone(partner.contact_phone)


@admin.register(PartnerOffer)
class PartnerOfferAdmin(ReadOnlyAdmin):
    selector = selectors.offers_visible_to
    list_display = ["title", "partner", "kind", "available_from", "available_until"]
    list_select_related = ["partner"]


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    selector = selectors.needs_visible_to
    list_display = ["kind", "village", "quantity", "needed_by", "status", "claimed_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["village", "claimed_by"]
