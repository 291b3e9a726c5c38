"""The visit page builds no more event forms than it shows (and the blank row its script copies),
whatever TOTAL_FORMS says."""

from unittest import mock

import pytest

from monitoring import forms
from monitoring.models import Visit
from monitoring.services.visits import MAX_EVENTS
from tests.conftest import client_for
from tests.monitoring.test_pages import visit_form

pytestmark = pytest.mark.django_db


def _counting_event_forms():
    built = []
    original = forms.EventForm.__init__

    def counting(form, *args, **kwargs):
        built.append(form)
        original(form, *args, **kwargs)

    return built, mock.patch.object(forms.EventForm, "__init__", counting)


def test_a_forged_form_count_is_refused_and_builds_at_most_the_maximum(village_worker, household):
    client = client_for(village_worker)
    form = visit_form(client, household, **{"events-TOTAL_FORMS": "1010"})
    built, patch = _counting_event_forms()
    with patch:
        response = client.post("/visits/new/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    # One more than the maximum at most: the blank row the page's script copies (empty_form).
    assert len(built) <= MAX_EVENTS + 1
    assert f"A visit records at most {MAX_EVENTS} events." in response.content.decode()
    assert not Visit.objects.exists()


def test_the_most_events_a_visit_takes_are_still_recorded(village_worker, household):
    client = client_for(village_worker)
    form = visit_form(client, household, **{"events-TOTAL_FORMS": str(MAX_EVENTS)})
    assert client.post("/visits/new/", form).status_code == 302
    assert Visit.objects.count() == 1


def test_a_visit_dated_tomorrow_is_told_with_the_forms_other_errors(village_worker, household):
    import datetime

    from django.utils import timezone

    client = client_for(village_worker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = visit_form(client, household, visited_on=tomorrow.isoformat(), household_size="0")
    text = client.post("/visits/new/", form).content.decode()
    # Both at once: the worker fixes the page in one go, not in two rounds.
    assert "走访日期不能晚于今天" in text and "至少 1 人" in text
    assert not Visit.objects.exists()
