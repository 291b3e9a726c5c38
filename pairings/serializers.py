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
            "version",
            "created_at",
        ]
        read_only_fields = fields


class PairingAssignSerializer(serializers.Serializer):
    """Pair a household with a cadre; a household already paired is handed over."""

    household = serializers.IntegerField(min_value=1, max_value=2**62)
    cadre = serializers.IntegerField(min_value=1, max_value=2**62)
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        help_text=_(
            "The version of the household's open pairing you started from, 0 if it had none; "
            "if the household's pairing has changed since, 409 and nothing is written"
        ),
    )
    started_on = serializers.DateField(required=False)
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices, required=False, default=EndReason.HANDOVER
    )
    end_note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PairingEndSerializer(serializers.Serializer):
    end_reason = serializers.ChoiceField(choices=EndReason.choices)
    end_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ended_on = serializers.DateField(required=False)
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text=_("The pairing's version you started from; 409 if it has changed since"),
    )


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
            "client_uuid",
            "created_at",
        ]
        read_only_fields = ["id", "pairing", "cadre", "cadre_name", "created_at"]
        # A re-sent client id is an answer, not an error: the service decides.
        extra_kwargs: dict[str, dict] = {
            "client_uuid": {
                "validators": [],
                "help_text": _(
                    "Made by the client once per contact; the same contact sent again with it "
                    "answers the stored one (200) instead of recording a second"
                ),
            }
        }
