"""The paired cadre's contacts on the household page (households.hub), and the button 联系记录
while the household has a cadre. The contact log is read by those who may read it today
(`contacts_visible_to`: field staff and auditors, never partners)."""

from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.display import data as marked
from households.hub import EntryPage, HubAction, HubSource, TimelineEntry, register
from households.models import Household
from pairings.selectors import household_contacts, household_pairings

CONTACT = "contact"


def contact_entries(user, household: Household, limit: int) -> EntryPage:
    contacts = household_contacts(user=user, household=household)[:limit]
    entries = [
        TimelineEntry(
            kind=CONTACT,
            on=contact.contacted_on,
            at=contact.created_at,
            title=format_html(
                "{} · {}", contact.get_kind_display(), marked(contact.cadre.display_name)
            ),
            detail=marked(truncatechars(contact.summary, 80)),
            url="#pairing",  # the log has no page of its own: its section here
        )
        for contact in contacts
    ]
    return EntryPage(entries, contacts[0].total if contacts else 0)


def contact_actions(user, household: Household) -> list[HubAction]:
    if not user.has_perm("pairings.add_contact"):
        return []
    paired = any(pairing.is_open for pairing in household_pairings(user=user, household=household))
    if not paired:
        return []
    return [
        HubAction(
            key="contact",
            label=_("Record a contact"),
            url=reverse("contact-create", args=[household.pk]),
            order=40,
        )
    ]


def register_sources() -> None:
    register(
        HubSource(
            key=CONTACT,
            label=pgettext_lazy("household timeline", "Contacts"),
            order=50,
            entries=contact_entries,
            actions=contact_actions,
        )
    )
