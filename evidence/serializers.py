from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evidence.models import Evidence


class EvidenceSerializer(serializers.ModelSerializer):
    """A file attached to a record. Where a photo was taken is null for a reader who may not see
    it (a partner, a department system)."""

    uploaded_by = serializers.CharField(source="uploaded_by.display_name", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "owner_kind",
            "owner_id",
            "content_type",
            "size",
            "description",
            "latitude",
            "longitude",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, evidence: Evidence) -> str:
        request = self.context.get("request")
        path = reverse("v1:evidence-file", kwargs={"pk": evidence.pk})
        return request.build_absolute_uri(path) if request is not None else path

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("sees_location"):
            data["latitude"] = data["longitude"] = None
        return data


class EvidenceAttachSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A photo (JPEG, PNG, WebP) or a PDF, checked by its content.")
    )
    description = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
