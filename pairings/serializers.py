from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pairings.models import Contact, ContactKind, EndReason, Pairing


class PairingSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    cadre = serializers.IntegerField(source="cadre_id", read_only=True)
    cadre_name = serializers.CharField(source="cadre.display_name", read_only=True)
    assigned_by = serializers.IntegerField(source="assigned_by_id", read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    # Empty while the pairing is open: text rather than the write side's enum, which has no "".
    end_reason = serializers.CharField(
        read_only=True, help_text=_("Why the pairing ended (empty while it is open)")
    )

    class Meta:
        model = Pairing
        fields = [
            "id",
            "household",
            "household_number",
            "cadre",
            "cadre_name",
            "started_on",
            "ended_on",
            "end_reason",
            "end_note",
            "is_open",
            "assigned_by",
            "created_at",
        ]
        read_only_fields = fields


class PairingAssignSerializer(serializers.Serializer):
    """Pair a household with a cadre; a household already paired is handed over."""

    household = serializers.IntegerField(min_value=1, max_value=2**62)
    cadre = serializers.IntegerField(min_value=1, max_value=2**62)
    started_on = serializers.DateField(required=False)
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices, required=False, default=EndReason.HANDOVER
    )
    end_note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PairingEndSerializer(serializers.Serializer):
    end_reason = serializers.ChoiceField(choices=EndReason.choices)
    end_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ended_on = serializers.DateField(required=False)


class ContactSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", min_value=1, max_value=2**62)
    pairing = serializers.IntegerField(source="pairing_id", read_only=True)
    cadre = serializers.IntegerField(source="cadre_id", read_only=True)
    cadre_name = serializers.CharField(source="cadre.display_name", read_only=True)
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    summary = serializers.CharField(max_length=2000)
    follow_ups = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "household",
            "pairing",
            "cadre",
            "cadre_name",
            "kind",
            "contacted_on",
            "summary",
            "follow_ups",
            "created_at",
        ]
        read_only_fields = ["id", "pairing", "cadre", "cadre_name", "created_at"]
