"""The admin never filters, searches or sorts by a sensitive field (core/admin.py).

Issue 14, finding 4: `/admin/households/household/?phone__startswith=184` answered with the
households whose phone starts so, which reads a hidden value digit by digit. Every such lookup,
on every ModelAdmin, local or across relations, is now refused with a 400 page.
"""

import re

import pytest
from django.contrib import admin
from django.db.models import F
from django.test import RequestFactory

from accounts.models import User
from core.admin import GuardedModelAdmin, SensitiveLookupGuard
from core.masking import names_sensitive_field
from households.models import Household
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HOPS = 2  # relations walked from each admin's model towards a sensitive field


def sensitive_paths(model, hops: int = HOPS, prefix: str = "") -> set[str]:
    """Every lookup path from the model to a sensitive field, across at most `hops` relations
    (forward and reverse, history tables included)."""
    found = set()
    for field in model._meta.get_fields():
        if names_sensitive_field(field.name):
            found.add(prefix + field.name)
        elif field.is_relation and field.related_model and hops > 0:
            found |= sensitive_paths(field.related_model, hops - 1, f"{prefix}{field.name}__")
    return found


def changelist_url(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="test-password-123")


@pytest.mark.parametrize(
    ("url", "query"),
    [
        # The requests, and the same read through a relation.
        ("/admin/households/member/", "health=chronic"),
        ("/admin/households/member/", "health_note__contains=高"),
        ("/admin/households/member/", "birth_date__year=1968"),
        ("/admin/households/member/", "id_number_masked__startswith=620423"),
        ("/admin/households/member/", "household__phone__startswith=138"),
        ("/admin/households/household/", "phone__startswith=138"),
        ("/admin/households/household/", "bank_account__startswith=6228"),
        ("/admin/households/household/", "members__health=chronic"),
        ("/admin/households/household/", "members__phone__startswith=1389300"),
    ],
)
def test_a_filter_on_a_sensitive_field_is_refused(county_officer, superuser, household, url, query):
    for persona in (county_officer, superuser):
        response = client_for(persona).get(f"{url}?{query}")
        assert response.status_code == 400
        page = response.content.decode()
        assert household.number not in page and "result_list" not in page


def test_the_refusal_is_a_translated_page(county_officer, household):
    response = client_for(county_officer).get(
        "/admin/households/household/?phone__startswith=138", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "请求被拒绝" in response.content.decode()


def test_every_admin_refuses_every_sensitive_lookup_it_can_reach(
    county_officer, superuser, household
):
    """A GET for each admin and each sensitive field on its model or one relation away."""
    refused_wrongly = []
    for model, model_admin in admin.site._registry.items():
        paths = sorted(sensitive_paths(model, hops=1))
        for persona in (county_officer, superuser):
            client = client_for(persona)
            # A county officer without the admin's view permission is refused before the lookups.
            expected = (
                400 if model_admin.has_view_or_change_permission(as_request(persona)) else 403
            )
            for path in paths:
                response = client.get(changelist_url(model), {path: "1"})
                if response.status_code != expected:
                    refused_wrongly.append((persona.username, path, response.status_code))
    assert refused_wrongly == []


def test_every_admin_refuses_every_sensitive_lookup_two_relations_away(superuser):
    """Further away, the same decision the changelist asks for each query-string parameter
    (a GET each would take a minute)."""
    request = as_request(superuser)
    allowed = [
        (model._meta.label, path)
        for model, model_admin in admin.site._registry.items()
        for path in sorted(sensitive_paths(model, hops=HOPS))
        for lookup in (path, f"{path}__startswith", f"{path}__isnull")
        if model_admin.lookup_allowed(lookup, "1", request)
    ]
    assert allowed == []


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_a_filter_on_an_ordinary_field_still_works(county_officer, household):
    response = client_for(county_officer).get(
        "/admin/households/household/", {"poverty_status": "lifted_out"}
    )
    assert response.status_code == 200 and household.number in response.content.decode()


def test_search_does_not_reach_a_sensitive_field(county_officer, household):
    client = client_for(county_officer)
    assert household.number in client.get("/admin/households/household/").content.decode()
    response = client.get("/admin/households/household/", {"q": household.phone})
    assert response.status_code == 200 and household.number not in response.content.decode()


def test_sorting_by_a_sensitive_column_is_ignored(county_officer, household):
    """MemberAdmin shows the masked ID number; `?o=` with its column sorts by it whatever the
    column's header offers. Sorting both ways gives the same order: the default one."""
    client = client_for(county_officer)
    member_admin = admin.site._registry[household.members.model]
    column = list(member_admin.list_display).index("id_number_masked")
    ascending = client.get("/admin/households/member/", {"o": str(column)})
    descending = client.get("/admin/households/member/", {"o": f"-{column}"})
    assert ascending.status_code == descending.status_code == 200
    names = [member.name for member in household.members.all()]

    def order(response):
        page = response.content.decode()
        return sorted(names, key=page.index)

    assert order(ascending) == order(descending)
    header = re.search(r"<th[^>]*column-id_number_masked[^>]*>", ascending.content.decode())
    assert header and "sortable" not in header.group()  # the header offers no sorting


# Structure: every admin has the guard, and declaring a sensitive field fails the checks. ---------


def test_every_registered_admin_has_the_guard():
    unguarded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, SensitiveLookupGuard)
    ]
    assert unguarded == []


def test_no_registered_admin_declares_a_sensitive_field():
    errors = [
        error for model_admin in admin.site._registry.values() for error in model_admin.check()
    ]
    assert errors == []


def test_declaring_a_sensitive_field_is_an_error_at_start_up():
    class CarelessAdmin(GuardedModelAdmin):
        search_fields = ["number", "=phone"]
        ordering = [F("bank_account").desc()]
        list_filter = ["poverty_status", ("members__health", admin.AllValuesFieldListFilter)]

    errors = CarelessAdmin(Household, admin.site).check()
    assert {error.id for error in errors} == {"households.E101"}
    assert len(errors) == 3
