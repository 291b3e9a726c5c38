from typing import TypedDict

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import regions
from core.api import BoundedListField
from households.models import Member
from monitoring.area_ranking import reason_words
from monitoring.engine import rules
from monitoring.messages import MESSAGES
from monitoring.models import (
    BUSINESS_INCOME_HELP,
    LOWEST_BUSINESS_INCOME,
    Alert,
    AlertEvent,
    AlertVerification,
    AreaEvent,
    AssistanceStandard,
    EventKind,
    IncomeLine,
    RuleConfig,
    ScanRun,
    ScreeningTask,
    Signal,
    SignalKind,
    SignalOutcome,
    SignalSource,
    VerificationResult,
    Visit,
    VisitEvent,
    Webhook,
    WebhookDelivery,
)
from monitoring.selectors import is_sender
from monitoring.services.alerts import BULK_MAX
from monitoring.services.signals import MAX_BATCH, DeskAction
from monitoring.services.visits import MAX_EVENTS


class MoneyBounds(TypedDict):
    """What every money field of the API takes, given as keyword arguments."""

    max_digits: int
    decimal_places: int
    min_value: int


MONEY: MoneyBounds = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class VisitEventSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    member = serializers.IntegerField(
        source="member_id", required=False, allow_null=True, min_value=1, max_value=2**62
    )

    class Meta:
        model = VisitEvent
        fields = ["kind", "member", "occurred_on", "note"]


class VisitSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", min_value=1, max_value=2**62)
    # many=True checks max_length before it checks any event.
    # ListSerializer takes max_length since DRF 3.15; the stubs' __new__ does not know it.
    events = VisitEventSerializer(many=True, required=False, max_length=MAX_EVENTS)  # type: ignore[call-arg]
    visitor: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    wage_income = serializers.DecimalField(**MONEY)
    # Net of its costs, so a loss is a negative number (the visit form says so too).
    business_income = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=LOWEST_BUSINESS_INCOME,
        help_text=BUSINESS_INCOME_HELP,
    )
    property_income = serializers.DecimalField(**MONEY)
    transfer_income = serializers.DecimalField(**MONEY)
    medical_spending = serializers.DecimalField(**MONEY)
    education_spending = serializers.DecimalField(**MONEY)
    disaster_loss = serializers.DecimalField(**MONEY)
    household_size = serializers.IntegerField(min_value=1, max_value=30)

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_uuid",
            "household",
            "visited_on",
            "visitor",
            "household_size",
            "wage_income",
            "business_income",
            "property_income",
            "transfer_income",
            "medical_spending",
            "education_spending",
            "disaster_loss",
            "food_clothing_ok",
            "compulsory_education_ok",
            "basic_medical_ok",
            "safe_housing_ok",
            "safe_water_ok",
            "events",
            "notes",
            "total_net_income",
            "per_capita_income",
            "rigid_spending",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "visitor",
            "total_net_income",
            "per_capita_income",
            "rigid_spending",
            "created_at",
        ]
        # A re-sent client id is an answer, not an error: the service decides.
        extra_kwargs: dict[str, dict] = {"client_uuid": {"validators": []}}


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=list(rules.SEVERITY_RANK))
    weight = serializers.IntegerField()
    evidence = serializers.DictField()


class AlertEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ["at", "actor", "action", "note", "data"]


class AlertVerificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertVerification
        fields = ["id", "result", "findings", "visit", "verified_by", "verified_at"]


class AlertSerializer(serializers.ModelSerializer):
    reasons = ReasonSerializer(many=True, read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    village = serializers.CharField(source="household.village_id", read_only=True)
    timeline = AlertEventSerializer(many=True, read_only=True)
    verifications = AlertVerificationSerializer(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "household",
            "household_number",
            "village",
            "status",
            "source",
            "level",
            "score",
            "reasons",
            "reason_codes",
            "self_report",
            "assignee",
            "opened_at",
            "updated_at",
            "closed_at",
            "close_note",
            "version",
            "timeline",
            "verifications",
        ]
        read_only_fields = fields


class AlertAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(min_value=1, max_value=2**62)
    version = serializers.IntegerField(min_value=1)


class AlertNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1)


class AlertVerifySerializer(serializers.Serializer):
    """A home verification (入户核查); its photos are attached through the evidence API
    (owner kind "alert")."""

    result = serializers.ChoiceField(choices=VerificationResult.choices)
    findings = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    visit_id = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True
    )
    version = serializers.IntegerField(min_value=1)


class BulkItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**62)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


def _at_most_a_page(alerts: list) -> list:
    if len(alerts) > BULK_MAX:
        raise serializers.ValidationError(
            _("Choose at most %(max)d warnings at a time.") % {"max": BULK_MAX}
        )
    return alerts


class AlertBulkAssignSerializer(serializers.Serializer):
    # A list field rather than many=True: a null or missing list is then reported under "alerts",
    # as the error schema (drf-standardized-errors) says it is.
    alerts = serializers.ListField(child=BulkItemSerializer(), allow_empty=False)
    assignee = serializers.IntegerField(min_value=1, max_value=2**62)

    def validate_alerts(self, alerts: list) -> list:
        return _at_most_a_page(alerts)


class AlertBulkDismissSerializer(serializers.Serializer):
    # A list field rather than many=True: a null or missing list is then reported under "alerts",
    # as the error schema (drf-standardized-errors) says it is.
    alerts = serializers.ListField(child=BulkItemSerializer(), allow_empty=False)
    reason = serializers.CharField(max_length=500)

    def validate_alerts(self, alerts: list) -> list:
        return _at_most_a_page(alerts)


class BulkSkippedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class AlertBulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    skipped = BulkSkippedSerializer(many=True)


class AlertDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(min_value=1)


class SelfReportSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=2**62)
    report = serializers.CharField(max_length=1000)


class IncomeLineSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region_id", max_length=12, allow_null=True, required=False
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = IncomeLine
        fields = ["id", "region", "year", "amount", "is_demo", "note", "version"]
        read_only_fields = ["id", "is_demo"]
        validators: list = []


class AssistanceStandardSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region_id", max_length=12, allow_null=True, required=False
    )
    dibao = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    tekun = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    edge_multiple = serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=1, max_value=3, required=False
    )
    edge_line = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text=_("The dibao-edge line: the dibao standard times the multiple"),
    )
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = AssistanceStandard
        fields = [
            "id",
            "region",
            "year",
            "dibao",
            "tekun",
            "edge_multiple",
            "edge_line",
            "is_demo",
            "note",
            "version",
        ]
        read_only_fields = ["id", "is_demo"]
        validators: list = []


class RuleConfigSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region_id", max_length=12, allow_null=True, required=False
    )
    code = serializers.ChoiceField(choices=[rule.code for rule in rules.RULES])
    severity = serializers.ChoiceField(choices=list(rules.SEVERITY_RANK))
    weight = serializers.IntegerField(min_value=0, max_value=1000)
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = RuleConfig
        fields = ["id", "code", "region", "enabled", "severity", "weight", "params", "version"]
        read_only_fields = ["id"]
        validators: list = []


class RuleDefaultSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    weight = serializers.IntegerField()
    params = serializers.DictField()


class SignalItemSerializer(serializers.Serializer):
    # Declared fields leave the class (DRF's metaclass); Field.source is not replaced.
    source = serializers.ChoiceField(choices=SignalSource.choices)  # type: ignore[assignment]
    external_id = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    id_number = serializers.CharField(
        max_length=32, required=False, allow_blank=True, write_only=True
    )
    region_code = serializers.RegexField(regions.CODE_PATTERN, required=False, allow_blank=True)
    occurred_on = serializers.DateField()
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True)


class SignalBatchSerializer(serializers.Serializer):
    # Items are checked one by one by the view, so that one bad item does not refuse the batch.
    items = BoundedListField(child=serializers.DictField(), allow_empty=False, max_length=MAX_BATCH)


class SignalResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    external_id = serializers.CharField()
    result = serializers.ChoiceField(
        choices=["received", "matched", "unmatched", "duplicate", "invalid"]
    )
    signal_id = serializers.IntegerField(allow_null=True)
    # Declared fields leave the class (DRF's metaclass); Serializer.errors is not replaced.
    errors = serializers.DictField(allow_null=True)  # type: ignore[assignment]


class SignalSerializer(serializers.ModelSerializer):
    """A signal. A sending department reads back its own signals with `outcome` (what people
    did with it) and `dismiss_reason`; `status`, `household`, `resolution` and `reviewed_at`
    (the machine's match, the reviewer's note and when) are null for it, the reviewers' to know."""

    household: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    status = serializers.ChoiceField(choices=Signal.Status.choices, allow_null=True, read_only=True)
    resolution = serializers.CharField(allow_null=True, read_only=True)
    outcome = serializers.ChoiceField(choices=SignalOutcome.choices, read_only=True)
    reviewed_at = serializers.DateTimeField(allow_null=True, read_only=True)
    dismiss_reason = serializers.ChoiceField(
        choices=Signal.DismissReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Signal
        fields = [
            "id",
            "source",
            "external_id",
            "kind",
            "id_number_masked",
            "household",
            "region",
            "occurred_on",
            "amount",
            "detail",
            "status",
            "resolution",
            "outcome",
            "dismiss_reason",
            "received_at",
            "reviewed_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and is_sender(request.user):
            # When a reviewer acted tells, as much as what, that the number matched nobody.
            data.update(household=None, status=None, resolution=None, reviewed_at=None)
        return data


class SignalMemberSerializer(serializers.Serializer):
    """The person a signal is about, registered from the desk: the number must be the one the
    department sent."""

    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=32)
    relation = serializers.ChoiceField(choices=Member.Relation.choices)
    labour = serializers.ChoiceField(choices=Member.Labour.choices)
    education = serializers.ChoiceField(choices=Member.Education.choices)


class SignalResolveSerializer(serializers.Serializer):
    """The signal desk: link a signal waiting for review to a household of one's region,
    register the person it is about in one, or close it with a reason."""

    action = serializers.ChoiceField(choices=DeskAction.choices, required=False, default="")
    household_number = serializers.CharField(max_length=20, required=False, default="")
    reason = serializers.ChoiceField(
        choices=Signal.DismissReason.choices, required=False, default="", allow_blank=True
    )
    resolution = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    member = SignalMemberSerializer(required=False)


class SignalFunnelSerializer(serializers.Serializer):
    # Field.source is a str in the stubs; a declared field of that name leaves the class.
    source = serializers.ChoiceField(choices=SignalSource.choices)  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    signals = serializers.IntegerField()
    matched = serializers.IntegerField()
    warnings = serializers.IntegerField()
    verified = serializers.IntegerField()
    enrolled = serializers.IntegerField()


class ScanRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanRun
        fields = [
            "id",
            "scope",
            "trigger",
            "as_of",
            "status",
            "started_at",
            "finished_at",
            "chunks_total",
            "chunks_done",
            "households_judged",
            "alerts_opened",
            "alerts_updated",
            "alerts_resolved",
        ]
        read_only_fields = fields


class ScanStartSerializer(serializers.Serializer):
    region = serializers.RegexField(
        r"\A[0-9]{2,12}\Z", required=False, help_text=_("Region prefix; yours by default")
    )


class WebhookSerializer(serializers.ModelSerializer):
    """A county's webhook. The secret is written, never read back: `masked_secret` shows its
    last characters; the answer to the POST that made it carries it once (`secret`)."""

    url = serializers.CharField(max_length=500)
    secret = serializers.CharField(
        max_length=200, required=False, allow_blank=True, write_only=True
    )
    kinds = BoundedListField(
        child=serializers.ChoiceField(choices=sorted(MESSAGES)), max_length=50, required=False
    )

    class Meta:
        model = Webhook
        fields = ["id", "region", "name", "url", "secret", "masked_secret", "kinds", "active"]
        read_only_fields = ["region", "masked_secret", "active"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="notification.message_key", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "kind",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]


class AreaEventSerializer(serializers.ModelSerializer):
    """An area event and its progress over the tasks of the reader's region."""

    region_name = serializers.CharField(source="region.name", read_only=True)
    total = serializers.IntegerField(read_only=True, help_text=_("Households to screen."))
    screened = serializers.IntegerField(read_only=True, help_text=_("Households screened."))
    affected = serializers.IntegerField(read_only=True, help_text=_("Households found affected."))
    listed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "When the ranked list of the area's households was first made whole; null while a "
            "worker ranks them and writes their tasks (which appear as they are written), "
            "shortly after the event is opened."
        ),
    )
    listing_requested_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Set while the list is being made or extended (a signal joined the event); null "
            "once it is done."
        ),
    )

    class Meta:
        model = AreaEvent
        fields = [
            "id",
            "region",
            "region_name",
            "kind",
            "status",
            "occurred_on",
            "signal",
            "signal_count",
            "note",
            "opened_at",
            "closed_at",
            "closure_note",
            "listed_at",
            "listing_requested_at",
            "version",
            "total",
            "screened",
            "affected",
        ]
        read_only_fields = fields


class ScreeningTaskSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    reason_words = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningTask
        fields = [
            "id",
            "event",
            "household",
            "household_number",
            "rank",
            "score",
            "reasons",
            "reason_words",
            "status",
            "screened_at",
            "note",
            "version",
        ]
        read_only_fields = fields

    def get_reason_words(self, task) -> list[str]:
        return reason_words(task.reasons)


class AreaEventCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)
    version = serializers.IntegerField(min_value=1)


class ScreeningRecordSerializer(serializers.Serializer):
    screening = serializers.ChoiceField(
        choices=[("affected", _("Affected")), ("not_affected", _("Not affected"))]
    )
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    version = serializers.IntegerField(min_value=1)
