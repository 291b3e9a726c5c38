from django.contrib import admin

from assistance import selectors
from assistance.models import Case, Measure, Partner, PartnerOffer
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


@admin.register(PartnerOffer)
class PartnerOfferAdmin(ReadOnlyAdmin):
    selector = selectors.offers_visible_to
    list_display = ["title", "partner", "kind", "available_from", "available_until"]
    list_select_related = ["partner"]
