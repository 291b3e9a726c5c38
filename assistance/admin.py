from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assistance import selectors
from assistance.models import (
    CalendarDay,
    Case,
    DeadlineProfile,
    Measure,
    Need,
    Partner,
    PartnerOffer,
    PolicyMeasure,
    ReferralPolicy,
)
from assistance.services import deadlines as deadline_services
from assistance.services import policy_measures as policy_measure_services
from assistance.services import referrals as referral_services
from core.masking import mask_phone
from households.selectors import user_covers
from monitoring.admin import PolicyAdmin, ReadOnlyAdmin

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


@admin.register(DeadlineProfile)
class DeadlineProfileAdmin(PolicyAdmin):
    """A county officer sees the national, provincial and own county's profiles and sets the
    county's own through the service (which recounts the running steps' due dates)."""

    list_display = ["name", "region_code", "notice_min_days", "escalate_after_working_days"]
    fields = [
        "name",
        "region_code",
        "limits",
        "notice_min_days",
        "escalate_after_working_days",
        "self_report_acceptance_days",
    ]

    def get_queryset(self, request):
        return selectors.deadline_profiles_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The service saves by region: another region is another profile, added as such.
        return ["region_code"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_covers(request.user, obj.region_code))

    def save_through_service(self, user, obj):
        profile, _moved = deadline_services.deadline_profile_save(
            actor=user,
            region_code=obj.region_code,
            name=obj.name,
            limits=obj.limits,
            notice_min_days=obj.notice_min_days,
            escalate_after_working_days=obj.escalate_after_working_days,
            self_report_acceptance_days=obj.self_report_acceptance_days,
        )
        return profile


@admin.register(CalendarDay)
class CalendarDayAdmin(PolicyAdmin):
    """The holidays and make-up working days of years the holiday package does not know yet."""

    list_display = ["day", "is_working", "note"]
    list_filter = ["is_working"]
    fields = ["day", "is_working", "note"]

    def get_queryset(self, request):
        return selectors.calendar_days_visible_to(request.user)

    def save_through_service(self, user, obj):
        return deadline_services.calendar_day_save(
            actor=user, day=obj.day, is_working=obj.is_working, note=obj.note
        )


@admin.register(PolicyMeasure)
class PolicyMeasureAdmin(PolicyAdmin):
    """The measure catalogue: the national entries shown, the county's own added and changed
    through the service (a national entry is refused to a county officer there)."""

    list_display = ["risk_type", "shown_title", "kind", "department", "region", "is_active"]
    list_filter = ["risk_type", "kind", "is_active"]
    fields = [
        "region",
        "risk_type",
        "kind",
        "title",
        "department",
        "typical_amount",
        "offer_kinds",
        "is_active",
    ]
    raw_id_fields = ["region"]

    @admin.display(description=_("measure"))
    def shown_title(self, obj):
        return gettext(obj.title) if obj.region_id is None else obj.title

    def get_queryset(self, request):
        return selectors.policy_measures_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["region"] if obj is not None else []

    def save_through_service(self, user, obj):
        return policy_measure_services.policy_measure_save(
            actor=user,
            region_code=obj.region_id,
            risk_type=obj.risk_type,
            kind=obj.kind,
            title=obj.title,
            department=obj.department,
            typical_amount=obj.typical_amount,
            offer_kinds=list(obj.offer_kinds or ()),
            is_active=obj.is_active,
            pk=obj.pk,
        )


@admin.register(ReferralPolicy)
class ReferralPolicyAdmin(PolicyAdmin):
    """How long partners have to answer a referral, in working or calendar days: the national
    row (a system administrator's), the county's own and those above it, set through the
    service as the page does."""

    list_display = ["region", "days", "unit"]
    fields = ["region", "days", "unit"]
    raw_id_fields = ["region"]

    def get_queryset(self, request):
        return selectors.referral_policies_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The service saves by region: another region is another row, added as such.
        return ["region"] if obj is not None else []

    def save_through_service(self, user, obj):
        return referral_services.referral_policy_save(
            actor=user, region_code=obj.region_id, days=obj.days, unit=obj.unit
        )
