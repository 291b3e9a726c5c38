"""A boolean filter refuses what it cannot read, where django-filter would silently list all."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_boolean_filter_refuses_a_value_that_is_not_true_or_false(township_cadre, partner_org):
    client = APIClient()
    client.force_authenticate(township_cadre)
    refused = client.get("/api/v1/partners/", {"is_active": "yes"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "is_active"
    assert client.get("/api/v1/partners/", {"is_active": "false"}).json()["results"] == []
    listed = client.get("/api/v1/partners/", {"is_active": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [partner_org.pk]
    assert client.get("/api/v1/cases/", {"overdue": "maybe"}).status_code == 400
