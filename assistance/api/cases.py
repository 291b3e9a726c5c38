"""Cases through the REST door: a household's path through identification, assistance and risk
elimination.

A case's steps are taken by the role the policy names: the views let every case viewer through
to the services, which answer 403 with their own message when the role does not take the step.
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assistance import selectors
from assistance.api.common import SCOPED, require
from assistance.eligibility import case_eligibility, is_eligible
from assistance.models import (
    Case,
    CaseCategory,
    CaseOrigin,
    CaseStatus,
    CaseStep,
    CivilAffairsDecision,
    CivilAffairsKind,
    StepKind,
)
from assistance.next_steps import next_actions
from assistance.serializers import (
    CaseProposeSerializer,
    CaseSerializer,
    CaseSuggestionsSerializer,
    CaseUpdateSerializer,
    CivilAffairsDecisionSerializer,
    CivilAffairsReferSerializer,
    EligibilitySerializer,
    EliminationProposeSerializer,
    InfoCheckSerializer,
    NoticePostSerializer,
    NoticeResultSerializer,
    OverdueCountsSerializer,
    StepDecisionSerializer,
)
from assistance.services import cases as case_services
from assistance.services import civil_affairs
from core.api import DixianAutoSchema, StrictBooleanFilter


class CaseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=CaseStatus.choices)
    category = filters.ChoiceFilter(label=_("Category"), choices=CaseCategory.choices)
    origin = filters.ChoiceFilter(label=_("Origin"), choices=CaseOrigin.choices)
    household = filters.NumberFilter(label=_("Household id"), field_name="household_id")
    awaiting = StrictBooleanFilter(
        label=_("Only cases whose next step your role takes"), method="filter_awaiting"
    )
    overdue = StrictBooleanFilter(
        label=_("Only cases with a step past its due date"), method="filter_overdue"
    )
    civil_affairs = filters.ChoiceFilter(
        label=_("Civil affairs"),
        choices=[("none", _("Not referred")), *CivilAffairsDecision.choices],
        method="filter_civil_affairs",
    )
    civil_affairs_kind = filters.ChoiceFilter(
        label=_("Referred to civil affairs for"),
        choices=CivilAffairsKind.choices,
        field_name="civil_affairs__kind",
    )

    class Meta:
        model = Case
        fields = [
            "status",
            "category",
            "origin",
            "household",
            "awaiting",
            "overdue",
            "civil_affairs",
            "civil_affairs_kind",
        ]

    def filter_civil_affairs(self, queryset, name, value):
        if value == "none":
            return queryset.filter(civil_affairs__isnull=True)
        return queryset.filter(civil_affairs__decision=value)

    def filter_awaiting(self, queryset, name, value):
        awaiting = selectors.cases_awaiting(self.request.user).values("pk")
        return queryset.filter(pk__in=awaiting) if value else queryset.exclude(pk__in=awaiting)

    def filter_overdue(self, queryset, name, value):
        late = selectors.steps_overdue(self.request.user, as_of=timezone.localdate())
        late_cases = late.values("case_id")
        return queryset.filter(pk__in=late_cases) if value else queryset.exclude(pk__in=late_cases)


def _steps_shown() -> Prefetch:
    """A case's steps, each marked when it is one the case waits for (by the selectors' rule)."""
    waiting = selectors.current_steps().filter(pk=OuterRef("pk"))
    return Prefetch(
        "steps",
        queryset=CaseStep.objects.select_related("actor").annotate(is_current=Exists(waiting)),
    )


def _step_action(name: str, kind: str, description, serializer_class=StepDecisionSerializer):
    """A POST action recording the decision of one kind of step, at cases/{id}/<name>/."""

    def record(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_services.case_step_record(
            actor=request.user, case=case, kind=kind, **serializer.validated_data
        )
        return self.shown(case)

    record.__name__ = name
    return extend_schema(
        request=serializer_class, responses=CaseSerializer, description=description
    )(action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(record))


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases: a household's path through identification, assistance and risk elimination.

    Every action takes the `version` the client saw and returns the case. Steps are taken in
    order, each by the role the policy names; the others are refused with 403.
    """

    serializer_class = CaseSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.case"
    # Who proposes and who takes which step is the services' to say (assistance/steps.py).
    permission_verbs = {
        # Proposing is a role's right (assistance.propose_case), not a reader's: a role that may
        # only look was let through to the serializer and its list checks.
        "create": "propose",
        "update": "change",
        "partial_update": "change",
        "consent": "view",
        "info_check": "view",
        "deliberation": "view",
        "home_verification": "view",
        "notice": "view",
        "notice_result": "view",
        "township_review": "view",
        "county_approval": "view",
        "elimination": "view",
        "eligibility": "view",
        "suggestions": "view",
        "overdue_steps": "view",
        # Townships and counties deal with civil affairs (assistance.change_case).
        "civil_affairs_refer": "change",
        "civil_affairs_decision": "change",
    }
    filterset_class = CaseFilter
    ordering = "-id"

    def get_queryset(self):
        queryset = selectors.cases_with_next_step(
            selectors.cases_visible_to(self.request.user)
        ).select_related(
            "household__village",
            "proposed_by",
            "responsible",
            "civil_affairs__referred_by",
            "civil_affairs__recorded_by",
        )
        if self.action in ("list", "retrieve"):
            queryset = queryset.prefetch_related(_steps_shown())
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _with_next_actions(self, cases) -> dict:
        """The serializer's context with who acts next on each case (assistance.next_steps),
        worked out for the whole page at once from the prefetched steps."""
        cases = [cases] if isinstance(cases, Case) else list(cases)
        pairs = []
        for case in cases:
            waiting = [step for step in case.steps.all() if getattr(step, "is_current", False)]
            if waiting:
                pairs.append((case, min(waiting, key=lambda step: step.position)))
        return {
            **self.get_serializer_context(),
            # Signed in: the viewset's permissions (SCOPED) refuse anonymous callers.
            "next_actions": next_actions(pairs, user=self.request.user, as_of=timezone.localdate()),  # type: ignore[arg-type]
        }

    def get_serializer(self, *args, **kwargs):
        if args and self.action in ("list", "retrieve"):
            kwargs["context"] = self._with_next_actions(args[0])
        return super().get_serializer(*args, **kwargs)

    def shown(self, case: Case, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related(_steps_shown()).get(pk=case.pk)
        return Response(
            CaseSerializer(fresh, context=self._with_next_actions(fresh)).data, status=status_code
        )

    @extend_schema(request=CaseProposeSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CaseProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_services.case_propose(
            actor=request.user,
            household_id=data["household"],
            origin=data["origin"],
            alert_id=data.get("alert"),
            category=data["category"],
            risk_types=data["risk_types"],
            situation=data["situation"],
            social_assistance=data.get("social_assistance"),
            responsible_id=data.get("responsible"),
            civil_affairs=data.get("civil_affairs"),
        )
        return self.shown(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def update(self, request, *args, **kwargs):
        case = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = CaseUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(data, "version")
        # A partial update keeps what it does not name.
        current = {
            "category": case.category,
            "risk_types": case.risk_types,
            "situation": case.situation,
            "social_assistance": case.social_assistance,
            "responsible": case.responsible_id if partial else None,
        }
        merged = {**current, **data}
        case_services.case_update(
            actor=request.user,
            case=case,
            version=merged["version"],
            category=merged["category"],
            risk_types=merged["risk_types"],
            situation=merged["situation"],
            social_assistance=merged["social_assistance"],
            responsible_id=merged["responsible"],
        )
        return self.shown(case)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    consent = _step_action(
        "consent",
        StepKind.CONSENT,
        _("The household's consent and authorisation (village worker)."),
    )
    info_check = _step_action(
        "info_check",
        StepKind.INFO_CHECK,
        _("The check against department data (township cadre)."),
        InfoCheckSerializer,
    )
    deliberation = _step_action(
        "deliberation", StepKind.DELIBERATION, _("Village deliberation (village worker).")
    )
    home_verification = _step_action(
        "home_verification",
        StepKind.HOME_VERIFICATION,
        _("Home verification before risk elimination (village worker)."),
    )
    notice_result = _step_action(
        "notice_result",
        StepKind.NOTICE,
        _("The result of the public notice, once objections have closed (village worker)."),
        NoticeResultSerializer,
    )
    township_review = _step_action(
        "township_review", StepKind.TOWNSHIP_REVIEW, _("Township review (township cadre).")
    )
    county_approval = _step_action(
        "county_approval", StepKind.COUNTY_APPROVAL, _("County approval (county officer).")
    )

    @extend_schema(
        request=NoticePostSerializer,
        responses=CaseSerializer,
        description=_("Post the village public notice (village worker)."),
    )
    @action(detail=True, methods=["post"])
    def notice(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = NoticePostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_services.case_notice_post(actor=request.user, case=case, **serializer.validated_data)
        return self.shown(case)

    @extend_schema(
        request=EliminationProposeSerializer,
        responses=CaseSerializer,
        description=_(
            "Propose risk elimination for an enrolled household. Refused with 400, one error "
            "per failing item of the eligibility check, when it does not qualify."
        ),
    )
    @action(detail=True, methods=["post"])
    def elimination(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = EliminationProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_services.case_elimination_propose(
            actor=request.user, case=case, **serializer.validated_data
        )
        return self.shown(case)

    @extend_schema(
        request=CivilAffairsReferSerializer,
        responses=CaseSerializer,
        description=_(
            "Refer the household to civil affairs for dibao, tekun or temporary relief (township "
            "cadre or county officer). A case is referred once; one turned down may be again."
        ),
    )
    @action(detail=True, methods=["post"], url_path="civil-affairs")
    def civil_affairs_refer(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = CivilAffairsReferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        civil_affairs.civil_affairs_refer(
            actor=request.user, case=case, **serializer.validated_data
        )
        return self.shown(case)

    @extend_schema(
        request=CivilAffairsDecisionSerializer,
        responses=CaseSerializer,
        description=_(
            "Record civil affairs' decision on the referral: approved with its amount (a "
            "month's payment, or the relief paid), or not; with the referral's version."
        ),
    )
    @action(detail=True, methods=["post"], url_path="civil-affairs-decision")
    def civil_affairs_decision(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = CivilAffairsDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        civil_affairs.civil_affairs_decide(
            actor=request.user, case=case, **serializer.validated_data
        )
        return self.shown(case)

    @extend_schema(
        responses=EligibilitySerializer,
        description=_(
            "Whether the household's risk may be declared eliminated today, item by item."
        ),
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, *args, **kwargs):
        items = case_eligibility(self.get_object(), timezone.localdate())
        return Response(
            EligibilitySerializer(
                {
                    "eligible": is_eligible(items),
                    "items": items,
                }
            ).data
        )

    @extend_schema(
        responses=CaseSuggestionsSerializer,
        description=_(
            "Measures the policy suggests for the case's risk types, and open partner offers "
            "near the household that fit them."
        ),
    )
    @action(detail=True, methods=["get"])
    def suggestions(self, request, *args, **kwargs):
        found, offers = selectors.case_suggestions(self.get_object(), as_of=timezone.localdate())
        return Response(
            CaseSuggestionsSerializer({"suggestions": found, "offers": list(offers)}).data
        )

    @extend_schema(
        responses=OverdueCountsSerializer,
        description=_(
            "How many case steps are past their due date today in your region, per township "
            "and per step."
        ),
    )
    @action(detail=False, methods=["get"], url_path="overdue-steps", pagination_class=None)
    def overdue_steps(self, request, *args, **kwargs):
        today = timezone.localdate()
        counts = selectors.overdue_counts(request.user, as_of=today)
        return Response(OverdueCountsSerializer({"as_of": today, **counts}).data)
