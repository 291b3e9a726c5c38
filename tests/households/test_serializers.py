"""The planned read (FastReadMixin) gives DRF's own representation, byte for byte."""

import datetime
from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from households.models import Household
from households.serializers import FastReadMixin, HouseholdSerializer, MemberSerializer

pytestmark = pytest.mark.django_db


def _rendered(queryset, serializer_class) -> bytes:
    return JSONRenderer().render(serializer_class(queryset, many=True).data)


def test_the_planned_read_matches_drf_for_households_and_members(
    household, township_cadre, monkeypatch
):
    from households import services

    bare = services.household_create(
        actor=township_cadre, village_code="620423100201", poverty_status="ordinary"
    )
    Household.objects.filter(pk=household.pk).update(
        per_capita_income=Decimal("4321.5"),
        last_visit_on=datetime.date(2026, 2, 28),
        next_visit_due=datetime.date(2026, 5, 28),
        risk_level="high",
        risk_score=73,
    )
    Household.objects.filter(pk=bare.pk).update(per_capita_income=None, last_visit_on=None)
    households = (
        Household.objects.filter(pk__in=[household.pk, bare.pk])
        .select_related("village")
        .prefetch_related("members")
        .order_by("id")
    )
    members = household.members.order_by("id")
    planned = _rendered(households, HouseholdSerializer), _rendered(members, MemberSerializer)
    monkeypatch.setattr(
        FastReadMixin, "to_representation", serializers.Serializer.to_representation
    )
    generic = _rendered(households, HouseholdSerializer), _rendered(members, MemberSerializer)
    assert planned == generic
    assert b"4321.50" in planned[0] and b"2026-02-28" in planned[0] and b"null" in planned[0]
    assert b"13893001234" not in planned[0]  # still masked


def test_members_read_as_plain_rows_render_as_the_members_themselves(household, township_cadre):
    """The API's list reads a page's members as plain rows (selectors.masked_member_rows); a
    household's rendering is the same as from its members' model instances, and the rows hold
    nothing the masked serializer withholds."""
    from households import services
    from households.selectors import masked_member_rows

    bare = services.household_create(
        actor=township_cadre, village_code="620423100201", poverty_status="ordinary"
    )
    households = list(
        Household.objects.filter(pk__in=[household.pk, bare.pk])
        .select_related("village")
        .prefetch_related("members")
        .order_by("id")
    )
    rows = masked_member_rows([row.pk for row in households])
    from_rows = HouseholdSerializer(households, many=True, context={"members_of": rows})
    from_instances = HouseholdSerializer(households, many=True)
    assert JSONRenderer().render(from_rows.data) == JSONRenderer().render(from_instances.data)
    assert rows[bare.pk] == [] and len(rows[household.pk]) == household.members.count()
    read = vars(rows[household.pk][0])
    for withheld in ("id_number_encrypted", "id_number_hash", "health", "health_note"):
        assert withheld not in read
