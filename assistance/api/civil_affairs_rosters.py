"""Civil affairs' roster imports through the REST door: each import with its figures, and its
lines (ID numbers masked), for the townships and counties that reconcile them and the auditors.
Importing is done on the page (spreadsheets/), where a refused file is shown by row and column."""

from django.http import Http404
from rest_framework import generics, serializers, viewsets

from assistance import selectors
from assistance.api.common import SCOPED
from assistance.models import CivilAffairsRoster, CivilAffairsRosterEntry
from core.api import DixianAutoSchema


class CivilAffairsRosterSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    imported_by = serializers.CharField(source="imported_by.username", read_only=True)

    class Meta:
        model = CivilAffairsRoster
        fields = [
            "id",
            "region",
            "imported_by",
            "imported_at",
            "file_name",
            "rows",
            "outside_rows",
            "in_both",
            "mismatches",
            "only_theirs",
            "only_ours",
        ]
        read_only_fields = fields


class CivilAffairsRosterLineSerializer(serializers.ModelSerializer):
    household = serializers.CharField(
        source="household.number", read_only=True, allow_null=True, default=None
    )
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True)

    class Meta:
        model = CivilAffairsRosterEntry
        fields = [
            "id",
            "side",
            "row",
            "id_number_masked",
            "their_status",
            "our_status",
            "mismatch",
            "since",
            "amount",
            "region_code",
            "household",
            "outcome",
            "note",
            "case",
            "acted_at",
            "version",
        ]
        read_only_fields = fields


class CivilAffairsRosterViewSet(viewsets.ReadOnlyModelViewSet):
    """Imports of civil affairs' roster in the reader's region, newest first, with their
    figures: rows, in both, status mismatches, only in civil affairs' roster, only in ours."""

    serializer_class = CivilAffairsRosterSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.civilaffairsroster"
    ordering = "-id"

    def get_queryset(self):
        return selectors.rosters_visible_to(self.request.user)


class CivilAffairsRosterLineListApi(generics.ListAPIView):
    """The lines of one import: `side` is both, theirs (only in civil affairs' roster) or ours
    (only in ours); the ID number is masked."""

    serializer_class = CivilAffairsRosterLineSerializer
    permission_classes = SCOPED
    schema = DixianAutoSchema()
    permission_model = "assistance.civilaffairsroster"
    ordering = "id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CivilAffairsRosterEntry.objects.none()
        roster = (
            selectors.rosters_visible_to(self.request.user).filter(pk=self.kwargs["pk"]).first()
        )
        if roster is None:
            raise Http404
        return selectors.roster_entries(roster=roster).order_by("id")
