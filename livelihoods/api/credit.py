"""Micro-credit through the REST door: `/api/v1/loans/` and `/api/v1/loans/{id}/payments/`.

Townships and counties record loans in their region; a bank's or the finance bureau's system
(the `api` role) reads them and posts payments. A payment carries its client's idempotency key:
posted again, the stored payment is answered (200) and nothing is counted twice. Overdue days
come from the schedule and are never sent.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from assistance.api.common import SCOPED, StrictChoiceFilter
from core.api import DixianAutoSchema, StrictBooleanFilter, scoped_choices
from households.selectors import households_visible_to
from livelihoods.models.credit import (
    MAX_PRINCIPAL,
    MAX_TERM_MONTHS,
    OPEN_STATUSES,
    InterestPayer,
    LoanInstalment,
    LoanPayment,
    LoanStatus,
    MicroLoan,
    RepaymentMethod,
)
from livelihoods.selectors import credit as selectors
from livelihoods.services import credit as services

MAX_ID = 2**62


class InstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoanInstalment
        fields = ["number", "due_on", "principal_due", "interest_due", "paid", "settled_on"]
        read_only_fields = fields


class LoanSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    borrower = serializers.IntegerField(source="borrower_id", read_only=True)
    borrower_name = serializers.CharField(source="borrower.name", read_only=True)
    measure = serializers.IntegerField(source="measure_id", read_only=True, allow_null=True)
    overdue_days = serializers.SerializerMethodField(
        help_text=_("Days since the oldest unpaid instalment fell due (0 if none)")
    )

    class Meta:
        model = MicroLoan
        fields = [
            "id",
            "household",
            "household_number",
            "borrower",
            "borrower_name",
            "lender",
            "principal",
            "term_months",
            "annual_rate",
            "interest_payer",
            "method",
            "disbursed_on",
            "matures_on",
            "measure",
            "status",
            "overdue_days",
            "extended_on",
            "closed_on",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue_days(self, loan: MicroLoan) -> int:
        oldest = getattr(loan, "oldest_unpaid_on", None)
        today = timezone.localdate()
        if loan.status not in OPEN_STATUSES or oldest is None or oldest >= today:
            return 0
        return (today - oldest).days


class LoanDetailSerializer(LoanSerializer):
    instalments = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField(
        help_text=_("What remains to be repaid, principal and interest (yuan)")
    )

    class Meta(LoanSerializer.Meta):
        fields = [*LoanSerializer.Meta.fields, "instalments", "remaining"]
        read_only_fields = fields

    @extend_schema_field(InstalmentSerializer(many=True))
    def get_instalments(self, loan: MicroLoan):
        return InstalmentSerializer(selectors.live_instalments(loan), many=True).data

    def get_remaining(self, loan: MicroLoan) -> str:
        return str(selectors.balance_of(loan, timezone.localdate()).remaining)


class LoanCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    borrower = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    lender = serializers.CharField(max_length=60)
    principal = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=1, max_value=MAX_PRINCIPAL
    )
    term_months = serializers.IntegerField(min_value=1, max_value=MAX_TERM_MONTHS)
    annual_rate = serializers.DecimalField(
        max_digits=5, decimal_places=3, min_value=0, max_value=24, help_text=_("Percent a year")
    )
    interest_payer = serializers.ChoiceField(choices=InterestPayer.choices)
    method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    disbursed_on = serializers.DateField()
    measure = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PaymentSerializer(serializers.ModelSerializer):
    loan = serializers.IntegerField(source="loan_id", read_only=True)

    class Meta:
        model = LoanPayment
        fields = ["id", "loan", "paid_on", "amount", "idempotency_key", "created_at"]
        read_only_fields = ["id", "loan", "created_at"]
        extra_kwargs = {
            "amount": {"min_value": Decimal("0.01"), "max_value": MAX_PRINCIPAL * 2},
            "idempotency_key": {
                "help_text": _(
                    "Made by the sender (a bank's transaction id): the same key posted again is "
                    "the same payment, counted once"
                ),
                "validators": [],
            },
        }


class ExtendSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    months = serializers.IntegerField(min_value=1, max_value=services.MAX_EXTENSION_MONTHS)
    reason = serializers.CharField(max_length=200)


class WriteOffSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    reason = serializers.CharField(max_length=200)


class MarkOverdueSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("What the bank or the household said, kept in the loan's history"),
    )


class LoanFilter(filters.FilterSet):
    household = filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    status = StrictChoiceFilter(label=_("Status"), choices=LoanStatus.choices)
    overdue = StrictBooleanFilter(label=_("Overdue today"), method="filter_overdue")

    class Meta:
        model = MicroLoan
        fields = ["household", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue_loans(queryset, timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))


def require_payer(user) -> None:
    """Refused before the input is read: a role that may not record payments learns nothing
    from a 400 about what it sent."""
    if not user.has_perm("livelihoods.add_loanpayment"):
        raise PermissionDenied(_("Your role may not do this."))


class LoanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Micro-credit loans (小额信贷) of the households of your region, with their repayment
    schedule (equal principal, or interest quarterly and principal at maturity). Creating one
    makes its schedule; at most ¥50,000 over at most 36 months."""

    serializer_class = LoanSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "livelihoods.microloan"
    # Payments and overdue reports are checked by the service (livelihoods.add_loanpayment).
    permission_verbs = {
        "payments": "view",
        "mark_overdue": "view",
        "extend": "change",
        "write_off": "change",
    }
    filterset_class = LoanFilter
    ordering = "-id"

    def get_queryset(self):
        return selectors.with_oldest_unpaid(
            selectors.loans_visible_to(self.request.user).select_related("household", "borrower")
        )

    def get_serializer_class(self):
        return LoanDetailSerializer if self.action == "retrieve" else LoanSerializer

    def shown(self, loan: MicroLoan, code: int = status.HTTP_200_OK) -> Response:
        return Response(LoanDetailSerializer(self.get_queryset().get(pk=loan.pk)).data, status=code)

    @extend_schema(request=LoanCreateSerializer, responses={201: LoanDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = LoanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        loan = services.loan_create(
            actor=request.user,
            household_id=data.pop("household"),
            borrower_id=data.pop("borrower"),
            measure_id=data.pop("measure", None),
            **data,
        )
        return self.shown(loan, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], request=None, responses=PaymentSerializer(many=True), filters=False
    )
    @extend_schema(
        methods=["POST"],
        request=PaymentSerializer,
        responses={201: PaymentSerializer, 200: PaymentSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def payments(self, request, *args, **kwargs):
        """A loan's payments, newest first; POST one, allocated to the oldest unpaid instalments.
        More than what remains of the loan is 400 on `amount`, and nothing is written."""
        loan = self.get_object()
        if request.method == "GET":
            payments = selectors.payments_visible_to(request.user).filter(loan=loan)
            return Response(PaymentSerializer(payments, many=True).data)
        require_payer(request.user)
        serializer = PaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment, created = services.loan_pay(
            actor=request.user, loan_id=loan.pk, **serializer.validated_data
        )
        return Response(
            PaymentSerializer(payment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=MarkOverdueSerializer, responses=LoanDetailSerializer, filters=False)
    @action(detail=True, methods=["post"], url_path="mark-overdue", filterset_class=None)
    def mark_overdue(self, request, *args, **kwargs):
        """Report the loan overdue before the daily sweep does: a department-style signal for
        the rules. A loan with nothing due and unpaid is 400."""
        loan = self.get_object()
        require_payer(request.user)
        serializer = MarkOverdueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = services.loan_mark_overdue(
            actor=request.user, loan_id=loan.pk, **serializer.validated_data
        )
        return self.shown(loan)

    @extend_schema(request=ExtendSerializer, responses=LoanDetailSerializer, filters=False)
    @action(detail=True, methods=["post"], filterset_class=None)
    def extend(self, request, *args, **kwargs):
        """Extend the loan (展期) once: what remains of the principal is scheduled again."""
        loan = self.get_object()  # a loan outside the region is 404 before the input is read
        serializer = ExtendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = services.loan_extend(
            actor=request.user, loan_id=loan.pk, **serializer.validated_data
        )
        return self.shown(loan)

    @extend_schema(request=WriteOffSerializer, responses=LoanDetailSerializer, filters=False)
    @action(detail=True, methods=["post"], url_path="write-off", filterset_class=None)
    def write_off(self, request, *args, **kwargs):
        loan = self.get_object()  # a loan outside the region is 404 before the input is read
        serializer = WriteOffSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = services.loan_write_off(
            actor=request.user, loan_id=loan.pk, **serializer.validated_data
        )
        return self.shown(loan)
