from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from households.admin_base import GuardedModelAdmin
from monitoring import selectors
from monitoring.models import Alert, IncomeLine, RuleConfig, ScanRun, Signal, Visit, VisitCadence
from monitoring.services import policy as policy_services


class ReadOnlyAdmin(GuardedModelAdmin):
    """Records written by the services (visits, warnings, signals, runs) are read here only."""

    selector = None

    def get_queryset(self, request):
        return type(self).selector(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    selector = selectors.visits_visible_to
    list_display = ["household", "visited_on", "visitor", "per_capita_income"]
    list_select_related = ["household", "visitor"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    selector = selectors.alerts_visible_to
    list_display = ["household", "level", "score", "status", "source", "opened_at"]
    list_filter = ["status", "level", "source"]
    list_select_related = ["household"]


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    selector = selectors.signals_visible_to
    list_display = ["source", "external_id", "kind", "status", "occurred_on", "received_at"]
    list_filter = ["status", "kind", "source"]


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    selector = selectors.scan_runs_visible_to
    list_display = [
        "started_at",
        "trigger",
        "scope",
        "status",
        "households_judged",
        "alerts_opened",
    ]


class ScopedPolicyAdmin(GuardedModelAdmin):
    """A county officer is staff: the admin shows them their own and higher regions' values,
    never another county's (as the API does)."""

    def get_queryset(self, request):
        return selectors.policy_rows_visible_to(super().get_queryset(request), request.user)


class PolicyAdmin(ScopedPolicyAdmin):
    """Lines and rule settings go through their services: scope checked, history kept, re-scan."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            self.save_through_service(request.user, obj)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))


@admin.register(IncomeLine)
class IncomeLineAdmin(PolicyAdmin):
    list_display = ["year", "region", "amount", "is_demo", "note"]
    list_filter = ["year", "is_demo"]
    fields = ["region", "year", "amount", "note"]
    raw_id_fields = ["region"]

    def save_through_service(self, user, obj):
        policy_services.income_line_save(
            actor=user, region_code=obj.region_id, year=obj.year, amount=obj.amount, note=obj.note
        )


@admin.register(RuleConfig)
class RuleConfigAdmin(PolicyAdmin):
    list_display = ["code", "region", "enabled", "severity", "weight", "params"]
    fields = ["code", "region", "enabled", "severity", "weight", "params"]
    raw_id_fields = ["region"]

    def save_through_service(self, user, obj):
        policy_services.rule_config_save(
            actor=user,
            code=obj.code,
            region_code=obj.region_id,
            enabled=obj.enabled,
            severity=obj.severity,
            weight=obj.weight,
            params=obj.params,
        )


@admin.register(VisitCadence)
class VisitCadenceAdmin(ScopedPolicyAdmin):
    list_display = ["kind", "region", "days"]
    raw_id_fields = ["region"]
