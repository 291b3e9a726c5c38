"""`/api/v1/welfare-posts/`: public-welfare posts (公益岗位) and their monthly pay."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DixianAutoSchema, RolePermission, scoped_choices
from households.selectors import households_visible_to
from livelihoods.api import money_field
from livelihoods.models import PostPayment, WelfarePost
from livelihoods.selectors import posts as selectors
from livelihoods.services import posts as services

SCOPED = [permissions.IsAuthenticated, RolePermission]


class WelfarePostSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    measure = serializers.IntegerField(source="measure_id", read_only=True, allow_null=True)

    class Meta:
        model = WelfarePost
        fields = [
            "id",
            "household",
            "household_number",
            "member",
            "member_name",
            "title",
            "employer",
            "monthly_pay",
            "starts_on",
            "ends_on",
            "renewed",
            "end_confirmed_on",
            "measure",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class WelfarePostCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=2**62)
    member = serializers.IntegerField(min_value=1, max_value=2**62)
    title = serializers.CharField(max_length=100)
    employer = serializers.CharField(max_length=100)
    monthly_pay = money_field()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    renewed = serializers.BooleanField(required=False, default=False)
    measure = serializers.IntegerField(min_value=1, max_value=2**62, required=False)


class WelfarePostChangeSerializer(serializers.Serializer):
    ends_on = serializers.DateField(required=False)
    renewed = serializers.BooleanField(required=False)
    monthly_pay = money_field(required=False)
    confirm_end = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("The post ends on its end date: its task leaves the task list"),
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The post's version you started from; 409 if it has changed since"),
    )


class PostPaymentSerializer(serializers.ModelSerializer):
    month = serializers.DateField(help_text=_("Any day of the month paid for"))
    amount = money_field()
    paid_on = serializers.DateField()

    class Meta:
        model = PostPayment
        fields = ["id", "month", "amount", "paid_on", "created_at"]
        read_only_fields = ["id", "created_at"]


class WelfarePostFilter(django_filters.FilterSet):
    household = django_filters.ModelChoiceFilter(queryset=scoped_choices(households_visible_to))
    ends_from = django_filters.DateFilter(field_name="ends_on", lookup_expr="gte")
    ends_to = django_filters.DateFilter(field_name="ends_on", lookup_expr="lte")

    class Meta:
        model = WelfarePost
        fields = ["household", "ends_from", "ends_to"]


class WelfarePostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Public-welfare posts: a year at most unless renewed. `payments` lists a post's monthly pay
    (GET) and records one (POST; a month inside the post's period, once: the same month sent
    again with the same amount and day answers the stored payment)."""

    serializer_class = WelfarePostSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "livelihoods.welfarepost"
    filterset_class = WelfarePostFilter
    ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.posts_visible_to(self.request.user).select_related("household", "member")

    def get_permissions(self):
        if self.action == "payments":
            self.permission_model = "livelihoods.postpayment"
        return super().get_permissions()

    @extend_schema(request=WelfarePostCreateSerializer, responses={201: WelfarePostSerializer})
    def create(self, request, *args, **kwargs):
        serializer = WelfarePostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        post = services.post_create(
            actor=request.user,
            household_id=data.pop("household"),
            member_id=data.pop("member"),
            measure_id=data.pop("measure", None),
            **data,
        )
        return Response(
            WelfarePostSerializer(self.get_queryset().get(pk=post.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=WelfarePostChangeSerializer, responses=WelfarePostSerializer)
    def partial_update(self, request, *args, **kwargs):
        post = self.get_object()
        serializer = WelfarePostChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.post_change(actor=request.user, post=post, **serializer.validated_data)
        return Response(WelfarePostSerializer(self.get_queryset().get(pk=post.pk)).data)

    @extend_schema(
        methods=["GET"], request=None, responses=PostPaymentSerializer(many=True), filters=False
    )
    @extend_schema(
        methods=["POST"],
        request=PostPaymentSerializer,
        responses={201: PostPaymentSerializer, 200: PostPaymentSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def payments(self, request, *args, **kwargs):
        post = self.get_object()
        if request.method == "GET":
            rows = selectors.post_payments_of(post)
            return Response(PostPaymentSerializer(rows, many=True).data)
        serializer = PostPaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment, created = services.post_payment_record(
            actor=request.user, post=post, **serializer.validated_data
        )
        return Response(
            PostPaymentSerializer(payment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
