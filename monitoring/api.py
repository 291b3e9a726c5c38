import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from core.api import DixianAutoSchema, RolePermission
from monitoring import selectors
from monitoring.engine import rules
from monitoring.filters import AlertFilter, VisitFilter
from monitoring.models import AssistanceStandard, IncomeLine, RuleConfig
from monitoring.scans import scan_start_by_hand
from monitoring.serializers import (
    AlertAssignSerializer,
    AlertBulkAssignSerializer,
    AlertBulkDismissSerializer,
    AlertBulkResultSerializer,
    AlertDismissSerializer,
    AlertNoteSerializer,
    AlertSerializer,
    AlertVerifySerializer,
    AreaEventCloseSerializer,
    AreaEventSerializer,
    AssistanceStandardSerializer,
    IncomeLineSerializer,
    RuleConfigSerializer,
    RuleDefaultSerializer,
    ScanRunSerializer,
    ScanStartSerializer,
    ScreeningRecordSerializer,
    ScreeningTaskSerializer,
    SelfReportSerializer,
    SignalBatchSerializer,
    SignalFunnelSerializer,
    SignalItemSerializer,
    SignalResolveSerializer,
    SignalResultSerializer,
    SignalSerializer,
    VisitSerializer,
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
)
from monitoring.services import alerts as alert_services
from monitoring.services import area_events as area_event_services
from monitoring.services import policy as policy_services
from monitoring.services.signals import (
    ItemResult,
    SignalItem,
    signal_resolve,
    signals_receive,
)
from monitoring.services.visits import EventInput, visit_record
from monitoring.services.webhooks import webhook_create

SCOPED = [permissions.IsAuthenticated, RolePermission]


class VisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Monitoring visits. A visit sent again with the same `client_uuid` returns the stored one
    (200) instead of recording a second one."""

    serializer_class = VisitSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.visit"
    filterset_class = VisitFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.visits_visible_to(self.request.user).prefetch_related("events")

    @extend_schema(responses={201: VisitSerializer, 200: VisitSerializer})
    def create(self, request, *args, **kwargs):
        stored = self._replayed(request)
        if stored is not None:
            return Response(VisitSerializer(stored).data, status=status.HTTP_200_OK)
        serializer = VisitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        events = [
            EventInput(
                kind=e["kind"],
                occurred_on=e["occurred_on"],
                member_id=e.get("member_id"),
                note=e.get("note", ""),
            )
            for e in data.pop("events", [])
        ]
        visit, created = visit_record(
            actor=request.user, household_id=data.pop("household_id"), events=events, **data
        )
        return Response(
            VisitSerializer(visit).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @staticmethod
    def _replayed(request):
        """The stored visit a phone sends again under its client id, whatever the body: a form
        the phone kept from before its fix (a back button's resend) ends in the one stored visit,
        not in a copy that waits on the phone with the old mistake."""
        data = request.data if hasattr(request.data, "get") else {}
        try:
            client_uuid = uuid.UUID(str(data.get("client_uuid")))
        except ValueError:
            return None
        stored = selectors.visits_visible_to(request.user).filter(client_uuid=client_uuid).first()
        if stored is None or str(stored.household_id) != str(data.get("household")):
            return None
        return stored


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Risk warnings with their reasons and evidence; actions move them along their lifecycle."""

    serializer_class = AlertSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.alert"
    permission_verbs = {
        "assign": "change",
        "confirm": "change",
        "dismiss": "change",
        "verify": "view",
        "bulk_assign": "change",
        "bulk_dismiss": "change",
    }
    filterset_class = AlertFilter
    ordering = "-id"

    def get_queryset(self):
        # Filtered by AlertFilter, as the warning queue page is (selectors.alerts_listed).
        return (
            selectors.alerts_visible_to(self.request.user)
            .select_related("household")
            .prefetch_related("timeline", "verifications")
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        params = self.request.query_params
        return selectors.alerts_of_area(
            queryset,
            self.request.user,
            region=params.get("region", ""),
            village=params.get("village", ""),
        )

    def _act(self, serializer_class, service, **extra):
        alert = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        updated = service(
            actor=self.request.user, alert=alert, **serializer.validated_data, **extra
        )
        return Response(AlertSerializer(self.get_queryset().get(pk=updated.pk)).data)

    @extend_schema(request=AlertAssignSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, *args, **kwargs):
        alert = self.get_object()
        serializer = AlertAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert_services.alert_assign(
            actor=request.user,
            alert=alert,
            version=serializer.validated_data["version"],
            assignee_id=serializer.validated_data["assignee"],
        )
        return Response(AlertSerializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(request=AlertVerifySerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, *args, **kwargs):
        """Record a home verification: its result, what was found, and optionally the visit it
        was made on. Attach its photos with the evidence API (owner kind "alert")."""
        return self._act(AlertVerifySerializer, alert_services.alert_verify)

    def _bulk(self, serializer_class, service, **fields):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = service(
            actor=self.request.user,
            items=[(item["id"], item["version"]) for item in data["alerts"]],
            **{argument: data[name] for argument, name in fields.items()},
        )
        return Response(
            AlertBulkResultSerializer(
                {
                    "done": outcome.done,
                    "skipped": [
                        {"id": alert_id, "code": code, "message": message}
                        for alert_id, code, message in outcome.skipped
                    ],
                }
            ).data
        )

    @extend_schema(request=AlertBulkAssignSerializer, responses=AlertBulkResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request, *args, **kwargs):
        """Assign several warnings (each with the version the client saw) to one colleague. Those
        that changed since, may not be assigned now or lie outside the colleague's region are
        skipped, each with its reason; the others are assigned together."""
        return self._bulk(
            AlertBulkAssignSerializer, alert_services.alerts_bulk_assign, assignee_id="assignee"
        )

    @extend_schema(request=AlertBulkDismissSerializer, responses=AlertBulkResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-dismiss")
    def bulk_dismiss(self, request, *args, **kwargs):
        """Dismiss several warnings with one reason; those that changed since the client saw
        them, or may not be dismissed now, are skipped, each with its reason."""
        return self._bulk(
            AlertBulkDismissSerializer, alert_services.alerts_bulk_dismiss, reason="reason"
        )

    @extend_schema(request=AlertNoteSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        return self._act(AlertNoteSerializer, alert_services.alert_confirm)

    @extend_schema(request=AlertDismissSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, *args, **kwargs):
        return self._act(AlertDismissSerializer, alert_services.alert_dismiss)


class SelfReportApi(viewsets.GenericViewSet):
    """A household's own report of hardship (农户自主申报), recorded by a village worker."""

    serializer_class = SelfReportSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.visit"
    permission_verbs = {"create": "add"}

    @extend_schema(request=SelfReportSerializer, responses={201: AlertSerializer})
    def create(self, request, *args, **kwargs):
        serializer = SelfReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = alert_services.self_report_record(
            actor=request.user,
            household_id=serializer.validated_data["household"],
            report=serializer.validated_data["report"],
        )
        return Response(AlertSerializer(alert).data, status=status.HTTP_201_CREATED)


class IncomeLineViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Monitoring income lines. POST sets the line of a region and year (a county officer for
    their county) and re-scans the households it affects."""

    serializer_class = IncomeLineSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.incomeline"
    permission_verbs = {"create": "change"}
    filterset_fields = {"year": ["exact"]}
    ordering = "-id"

    def get_queryset(self):
        return selectors.policy_rows_visible_to(IncomeLine.objects.all(), self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = IncomeLineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line = policy_services.income_line_save(
            actor=request.user,
            region_code=data.get("region_id"),
            year=data["year"],
            amount=data["amount"],
            note=data.get("note", ""),
            version=data.get("version"),
        )
        return Response(IncomeLineSerializer(line).data, status=status.HTTP_201_CREATED)


class AssistanceStandardViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The dibao and tekun standards and the dibao-edge multiple of a region and year, beside the
    income line. POST sets them (a county officer for their county) and re-judges the region's
    households, whose layers may move."""

    serializer_class = AssistanceStandardSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.assistancestandard"
    permission_verbs = {"create": "change"}
    filterset_fields = {"year": ["exact"]}
    ordering = "-id"

    def get_queryset(self):
        return selectors.policy_rows_visible_to(AssistanceStandard.objects.all(), self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = AssistanceStandardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        standard = policy_services.standard_save(
            actor=request.user,
            region_code=data.get("region_id"),
            year=data["year"],
            dibao=data["dibao"],
            tekun=data["tekun"],
            edge_multiple=data.get("edge_multiple", Decimal("1.50")),
            note=data.get("note", ""),
            version=data.get("version"),
        )
        return Response(AssistanceStandardSerializer(standard).data, status=status.HTTP_201_CREATED)


class RuleConfigViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Rule settings that override the defaults for a region; POST changes one and re-scans."""

    serializer_class = RuleConfigSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.ruleconfig"
    permission_verbs = {"create": "change", "defaults": "view"}
    ordering = "-id"

    def get_queryset(self):
        return selectors.policy_rows_visible_to(RuleConfig.objects.all(), self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = RuleConfigSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        config = policy_services.rule_config_save(
            actor=request.user,
            code=data["code"],
            region_code=data.get("region_id"),
            enabled=data.get("enabled", True),
            severity=data["severity"],
            weight=data["weight"],
            params=data.get("params") or {},
            version=data.get("version"),
        )
        return Response(RuleConfigSerializer(config).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RuleDefaultSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def defaults(self, request, *args, **kwargs):
        rows = [
            {
                "code": rule.code,
                "severity": rule.severity,
                "weight": rule.weight,
                "params": rule.params,
            }
            for rule in rules.RULES
        ]
        return Response(RuleDefaultSerializer(rows, many=True).data)


class SignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Department signals. POST a batch of up to 1,000 items; each item is answered on its own.

    Only people and areas of the sending account's region are matched. A person signal is
    answered `received` whether or not the number is registered (its match is for the region's
    reviewers); a sending account reads back its area signals and its own person signals, of
    these only `outcome` (what people did with them) and `dismiss_reason`. An area outside the
    region is `invalid`.
    """

    serializer_class = SignalSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.signal"
    permission_verbs = {"resolve": "change"}
    filterset_fields = {"status": ["exact"], "kind": ["exact"], "source": ["exact"]}
    ordering = "-id"

    def get_queryset(self):
        return selectors.signals_with_outcome(selectors.signals_visible_to(self.request.user))

    def filter_queryset(self, queryset):
        # A sender filtering its person signals by status would read which numbers matched.
        if "status" in self.request.query_params and selectors.is_sender(self.request.user):
            raise ValidationError(
                {"status": [_("A sending system reads what became of its signals as `outcome`.")]}
            )
        return super().filter_queryset(queryset)

    # Answered with 200 and one result per item, a bad item included; `filters=False`: a list
    # of results is not the signal list, and the list's filters do not apply to a POST.
    @extend_schema(
        request=SignalBatchSerializer,
        responses={200: SignalResultSerializer(many=True)},
        filters=False,
    )
    def create(self, request, *args, **kwargs):
        batch = SignalBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        checked, results = [], {}
        # One serializer checks every item: building one per item rebuilds its fields each
        # time, which was most of a 1,000-item batch's time. The errors are what is_valid()
        # would have given.
        checker = SignalItemSerializer()
        for index, raw in enumerate(batch.validated_data["items"]):
            try:
                checked.append((index, SignalItem(**checker.run_validation(raw))))
            except (ValidationError, DjangoValidationError) as error:
                results[index] = ItemResult(
                    index,
                    str(raw.get("external_id", "")),
                    "invalid",
                    errors=as_serializer_error(error),
                )
        for stored in signals_receive(actor=request.user, items=[item for _index, item in checked]):
            index = checked[stored.index][0]
            results[index] = ItemResult(
                index, stored.external_id, stored.result, stored.signal_id, stored.errors
            )
        ordered = [results[index] for index in sorted(results)]
        return Response(SignalResultSerializer(ordered, many=True).data, status=status.HTTP_200_OK)

    @extend_schema(request=SignalResolveSerializer, responses=SignalSerializer, filters=False)
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        signal = self.get_object()
        serializer = SignalResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resolved = signal_resolve(actor=request.user, signal=signal, **serializer.validated_data)
        answer = self.get_queryset().get(pk=resolved.pk)
        return Response(self.get_serializer(answer).data)

    @extend_schema(responses=SignalFunnelSerializer(many=True), filters=False)
    @action(detail=False, pagination_class=None, filter_backends=[])
    def funnel(self, request, *args, **kwargs):
        """Per department and kind: signals, matched, warnings they fed, verified, enrolled.
        The reviewers' figures: a sending system reads back its signals' outcomes instead."""
        if selectors.is_sender(request.user):
            raise PermissionDenied(_("Your role may not do this."))
        rows = selectors.signal_funnel(request.user)
        return Response(SignalFunnelSerializer(rows, many=True).data)


class ScanRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scan runs over the user's region; POST starts one."""

    serializer_class = ScanRunSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.scanrun"
    ordering = "-id"

    def get_queryset(self):
        return selectors.scan_runs_visible_to(self.request.user)

    @extend_schema(request=ScanStartSerializer, responses={202: ScanRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ScanStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = scan_start_by_hand(
            actor=request.user, region=serializer.validated_data.get("region", "")
        )
        return Response(ScanRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class WebhookViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The county's outbound webhooks (county officers); POST adds one, https only."""

    serializer_class = WebhookSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.webhook"
    ordering = "-id"

    def get_queryset(self):
        return selectors.webhooks_visible_to(self.request.user)

    @extend_schema(request=WebhookSerializer, responses={201: WebhookCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = webhook_create(actor=request.user, **serializer.validated_data)
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The delivery log of the county's webhooks: status, attempts, the last answer."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.webhook"
    ordering = "-id"

    def get_queryset(self):
        return selectors.webhook_deliveries_visible_to(self.request.user)


class AreaEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Area events (规模性返贫 screening) of the user's region, active first, with their
    progress: `total` households to screen, `screened`, `affected` (counted over the households
    of the reader's region). `tasks` lists an event's households in rank order; `close` closes
    it (township cadres and county officers)."""

    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.areaevent"
    permission_verbs = {"tasks": "view", "close": "change"}
    filterset_fields = {"status": ["exact"], "kind": ["exact"]}

    @property
    def ordering(self):
        return ("rank", "id") if getattr(self, "action", None) == "tasks" else ("status", "-id")

    def get_serializer_class(self):
        return ScreeningTaskSerializer if self.action == "tasks" else AreaEventSerializer

    def get_queryset(self):
        return selectors.area_events_listed(self.request.user)

    @extend_schema(responses=ScreeningTaskSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def tasks(self, request, *args, **kwargs):
        event = self.get_object()
        tasks = selectors.area_event_tasks(request.user, event)
        page = self.paginate_queryset(tasks)
        return self.get_paginated_response(ScreeningTaskSerializer(page, many=True).data)

    @extend_schema(request=AreaEventCloseSerializer, responses=AreaEventSerializer, filters=False)
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        event = self.get_object()
        serializer = AreaEventCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        area_event_services.area_event_close(
            actor=request.user, event=event, **serializer.validated_data
        )
        return Response(AreaEventSerializer(self.get_object()).data)


class ScreeningTaskViewSet(viewsets.GenericViewSet):
    """A village worker's (or a cadre's) screening of one household of an area event."""

    serializer_class = ScreeningTaskSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "monitoring.screeningtask"
    permission_verbs = {"screen": "change"}

    def get_queryset(self):
        return selectors.screening_tasks_visible_to(self.request.user)

    @extend_schema(request=ScreeningRecordSerializer, responses=ScreeningTaskSerializer)
    @action(detail=True, methods=["post"])
    def screen(self, request, *args, **kwargs):
        task = self.get_object()
        serializer = ScreeningRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        screened = area_event_services.screening_record(
            actor=request.user,
            task=task,
            status=data["screening"],
            note=data["note"],
            version=data["version"],
        )
        return Response(ScreeningTaskSerializer(screened).data)
