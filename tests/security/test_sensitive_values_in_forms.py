"""No form writes a stored sensitive value into the page, nor sends back one just typed.

Every page of the authorization matrix that has a form (GET shows it, POST sends it) is opened
for the home scope's objects by the village worker and the township cadre, and sent once with
new sensitive values and input that is refused. The head of the home household has known
values: the household's phone and bank account, the head's ID number, phone, health, disability
and health details; the home partner has a contact phone (often a person's own mobile). None
may appear in any of these pages, except masked. A new form is in the matrix
(test_every_url_has_an_entry), so it is searched here without being named. The county officer,
who may read a partner's phone on its own page, opens the partner forms and the admin's change
pages too: a form is not the partner's page.
"""

from __future__ import annotations

import re

import pytest

from assistance.models import Partner
from core.id_numbers import decrypt
from households.models import Household, Member
from tests.idgen import make_id_number
from tests.security.conftest import World, body_text
from tests.security.test_authorization_matrix import ENTRIES, PAGES, url_for

pytestmark = pytest.mark.django_db

PERSONAS = ("village_worker", "township_cadre")
FORMS = sorted(
    key
    for key, entry in PAGES.items()
    if entry.kind == "page" and {"GET", "POST"} <= set(entry.methods)
)
# The county officer, on the forms that hold a partner and on every admin change page.
OFFICER = "county_officer"
OFFICER_FORMS = sorted(
    [key for key in FORMS if key.startswith(("partner-", "offer-"))]
    + [
        key
        for key, entry in ENTRIES.items()
        if entry.kind == "admin" and key.startswith("admin:") and key.endswith("_change")
    ]
)
# Each form with each persona the matrix lets open it (GET) or send it (POST).
OPENED = [(key, who) for key in FORMS for who in PERSONAS if who in PAGES[key].readers] + [
    (key, OFFICER) for key in OFFICER_FORMS if OFFICER in ENTRIES[key].readers
]
SENT = [(key, who) for key in FORMS for who in PERSONAS if who in PAGES[key].writers] + [
    (key, OFFICER) for key in OFFICER_FORMS if OFFICER in ENTRIES[key].writers
]
HEALTH, DISABILITY = "serious", "grade_3"
TYPED = {
    "phone": "13912348765",
    "bank_account": "6228480402564899876",
    "id_number": make_id_number("620423", "19810909", 31),
    "health_note": "新近确诊的病情",
    "contact_phone": "13712340987",
}


def stored_values(world: World) -> list[str]:
    head = world.home.head
    # Health and disability that no form offers as its first or initial choice.
    Member.objects.filter(pk=head.pk).update(health=HEALTH, disability=DISABILITY)
    household = Household.objects.get(pk=world.home.household.pk)
    member = Member.objects.get(pk=head.pk)
    return [
        household.phone,
        household.bank_account,
        decrypt(member.id_number_encrypted),
        member.phone,
        member.health_note,
        Partner.objects.get(pk=world.home.partner.pk).contact_phone,
    ]


def assert_nothing_sensitive(html: str, values: list[str], where: str) -> None:
    for value in values:
        assert value not in html, f"{where}: {value!r} is in the page"
    for name, value in (("health", HEALTH), ("disability", DISABILITY)):
        selected = re.search(rf'<option value="{value}"[^>]*\bselected\b', html)
        assert not selected, f"{where}: the {name} {value!r} is selected in the page"


def test_the_registry_forms_are_searched_for_both_personas():
    registry = {"household-create", "household-edit", "member-create", "member-edit"}
    assert {(key, who) for key in registry for who in PERSONAS} <= set(OPENED) & set(SENT)


def test_the_partner_forms_are_searched_for_the_cadres():
    partner_forms = {("partner-edit", "township_cadre"), ("partner-edit", OFFICER)}
    assert partner_forms <= set(OPENED) & set(SENT)
    assert ("admin:assistance_partner_change", OFFICER) in OPENED


@pytest.mark.parametrize(("key", "persona"), OPENED)
def test_no_form_shows_a_stored_sensitive_value(world: World, key: str, persona: str):
    entry = ENTRIES[key]
    values = stored_values(world)
    url = url_for(key, entry, world, "home")
    response = world.client(persona).get(url)
    assert response.status_code in (200, 302), f"GET {url}: {response.status_code}"
    assert_nothing_sensitive(body_text(response), values, f"GET {url} as {persona}")


@pytest.mark.parametrize(("key", "persona"), SENT)
def test_no_refused_form_sends_back_what_was_typed(world: World, key: str, persona: str):
    entry = ENTRIES[key]
    values = stored_values(world)
    url = url_for(key, entry, world, "home")
    # The new sensitive values, with a health and disability chosen, and a version that no
    # form accepts: refused, the page comes back.
    body = {**TYPED, "health": HEALTH, "disability": DISABILITY, "version": "x"}
    response = world.client(persona).post(url, body)
    assert response.status_code < 500, f"POST {url}: {response.status_code}"
    assert_nothing_sensitive(
        body_text(response), [*values, *TYPED.values()], f"POST {url} as {persona}"
    )
