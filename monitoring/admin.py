from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.admin import GuardedModelAdmin
from core.errors import EditConflict
from core.forms import add_service_errors
from monitoring import selectors, thresholds
from monitoring.engine import rules
from monitoring.models import (
    CAPACITY_COMPONENTS,
    Alert,
    AssistanceStandard,
    CapacityWeights,
    IncomeLine,
    RuleConfig,
    ScanRun,
    Signal,
    Visit,
    VisitCadence,
)
from monitoring.services import policy as policy_services
from monitoring.services.capacity import capacity_weights_save


class ReadOnlyAdmin(GuardedModelAdmin):
    """Records written by the services (visits, warnings, signals, runs) are read here only."""

    # Each admin's selector: the rows the user may see, as every other door reads them.
    selector: ClassVar[Callable[[Any], QuerySet] | None] = None

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


class SavedThroughServiceForm(forms.ModelForm):
    """The admin's form for a row its service writes. The service runs as the last step of
    validation, inside the admin's transaction: a refusal becomes the form's errors, so the
    admin shows the form again and neither says "added" nor logs anything; what the service
    saved is what the admin logs and links to."""

    actor = None  # both set by PolicyAdmin.get_form, for the request
    save_through_service = None
    saved = None

    def _post_clean(self):
        super()._post_clean()  # the model's own validation first
        if self.errors:
            return
        try:
            self.saved = self.save_through_service(self.actor, self.instance)
        except (ValidationError, EditConflict) as error:
            add_service_errors(self, error)


class PolicyAdmin(ScopedPolicyAdmin):
    """Lines and rule settings go through their services: scope checked, history kept, re-scan."""

    form = SavedThroughServiceForm

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        bound = {
            "actor": request.user,
            "save_through_service": staticmethod(self.save_through_service),
        }
        return type(form.__name__, (form,), bound)

    def save_form(self, request, form, change):
        return form.saved  # the service saved it while the form was validated

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        pass  # no many-to-many fields or inlines: the service saved everything


@admin.register(IncomeLine)
class IncomeLineAdmin(PolicyAdmin):
    list_display = ["year", "region", "amount", "is_demo", "note"]
    list_filter = ["year", "is_demo"]
    fields = ["region", "year", "amount", "note"]
    raw_id_fields = ["region"]

    def save_through_service(self, user, obj):
        return policy_services.income_line_save(
            actor=user, region_code=obj.region_id, year=obj.year, amount=obj.amount, note=obj.note
        )


@admin.register(AssistanceStandard)
class AssistanceStandardAdmin(PolicyAdmin):
    list_display = ["year", "region", "dibao", "tekun", "edge_multiple", "is_demo", "note"]
    list_filter = ["year", "is_demo"]
    fields = ["region", "year", "dibao", "tekun", "edge_multiple", "note"]
    raw_id_fields = ["region"]

    def save_through_service(self, user, obj):
        return policy_services.standard_save(
            actor=user,
            region_code=obj.region_id,
            year=obj.year,
            dibao=obj.dibao,
            tekun=obj.tekun,
            edge_multiple=obj.edge_multiple,
            note=obj.note,
        )


class RuleConfigForm(SavedThroughServiceForm):
    """Thresholds as labelled fields (monitoring/thresholds.py), not the JSON they are kept as."""

    locals().update(thresholds.threshold_fields())

    class Meta:
        model = RuleConfig
        fields = ["code", "region", "enabled", "severity", "weight"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.update(thresholds.initial_of(self.instance.code, self.instance.params))

    def _post_clean(self):
        code = self.cleaned_data.get("code") or self.instance.code
        if code in rules.RULES_BY_CODE:
            self.instance.params = thresholds.params_from(code, self.cleaned_data)
        super()._post_clean()


@admin.register(RuleConfig)
class RuleConfigAdmin(PolicyAdmin):
    form = RuleConfigForm
    list_display = ["code", "region", "enabled", "severity", "weight", "thresholds_in_words"]
    raw_id_fields = ["region"]

    def get_fields(self, request, obj=None):
        code = obj.code if obj is not None else None
        return ["code", "region", "enabled", "severity", "weight", *thresholds.field_names_of(code)]

    @admin.display(description=_("thresholds"))
    def thresholds_in_words(self, obj):
        return thresholds.in_words(obj.code, obj.params)

    def save_through_service(self, user, obj):
        return policy_services.rule_config_save(
            actor=user,
            code=obj.code,
            region_code=obj.region_id,
            enabled=obj.enabled,
            severity=obj.severity,
            weight=obj.weight,
            params=obj.params,
        )


@admin.register(VisitCadence)
class VisitCadenceAdmin(PolicyAdmin):
    list_display = ["kind", "region", "days"]
    fields = ["region", "kind", "days"]
    raw_id_fields = ["region"]

    def save_through_service(self, user, obj):
        return policy_services.visit_cadence_save(
            actor=user, region_code=obj.region_id, kind=obj.kind, days=obj.days
        )


class CapacityWeightsForm(SavedThroughServiceForm):
    """The service checks the sum (and names it) and the one row a region under its lock; the
    model's own check of the sum would answer first, without the sum."""

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), *CAPACITY_COMPONENTS}

    def validate_unique(self):
        pass


@admin.register(CapacityWeights)
class CapacityWeightsAdmin(PolicyAdmin):
    """The self-development capacity's weights: the officer sees each component's weight and
    their sum, which must be exactly 100."""

    form = CapacityWeightsForm
    list_display = ["region", *CAPACITY_COMPONENTS, "version", "note"]
    fields = ["region", *CAPACITY_COMPONENTS, "note"]
    raw_id_fields = ["region"]

    def save_through_service(self, user, obj):
        return capacity_weights_save(
            actor=user,
            region_code=obj.region_id,
            weights={code: getattr(obj, code) for code in CAPACITY_COMPONENTS},
            note=obj.note,
        )
