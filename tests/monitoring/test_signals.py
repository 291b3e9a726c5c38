"""Department signal batches: set-based, idempotent on (source, external id), all or nothing."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from households.models import Household
from monitoring.models import Signal
from monitoring.services import signals as signal_services
from tests.conftest import committed_db
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db

HEAD_ID = make_id_number("620423", "19680315", 1)  # the head of the `household` fixture


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def person(external_id: str, id_number: str, **overrides) -> dict:
    item = {
        "source": "medical_insurance",
        "external_id": external_id,
        "kind": "large_medical_expense",
        "occurred_on": "2026-06-20",
        "amount": "38000.00",
        "id_number": id_number,
    }
    item.update(overrides)
    return item


def strangers(count: int, tag: str) -> list[dict]:
    return [
        person(f"{tag}-{n}", make_id_number("620421", "19800101", n % 900 + 1))
        for n in range(count)
    ]


def post(user, items: list[dict]):
    return api(user).post("/api/v1/signals/", {"items": items}, format="json")


def test_a_batch_costs_the_same_statements_for_10_or_100_items(api_client_user, household):
    post(api_client_user, strangers(1, "warm"))  # permissions are cached on the user
    counts = []
    for size, tag in ((10, "small"), (100, "large")):
        items = [person(f"{tag}-head", HEAD_ID, source="civil_affairs")] + strangers(size, tag)
        with CaptureQueriesContext(connection) as queries:
            response = post(api_client_user, items)
        assert response.status_code == 200
        assert [r["result"] for r in response.json()].count("received") == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Signal.objects.count() == 1 + 2 + 110


def test_items_are_answered_in_order_and_the_first_good_copy_wins(api_client_user, household):
    items = [
        person("F1", HEAD_ID, occurred_on="2026-07-01"),  # tomorrow: invalid, not stored
        person("F1", HEAD_ID),  # the same pair, good this time: stored
        person("F1", HEAD_ID),  # now a duplicate
        person("F2", "620423"),  # too short
        {
            "source": "emergency",
            "external_id": "F3",
            "kind": "disaster_area",
            "occurred_on": "2026-06-20",
            "region_code": "620423999999",
        },  # no such region
    ]
    results = post(api_client_user, items).json()
    assert [(r["index"], r["external_id"], r["result"]) for r in results] == [
        (0, "F1", "invalid"),
        (1, "F1", "received"),
        (2, "F1", "duplicate"),
        (3, "F2", "invalid"),
        (4, "F3", "invalid"),
    ]
    assert results[0]["errors"]["occurred_on"] and results[3]["errors"]["id_number"]
    assert results[4]["errors"]["region_code"] == ["No such region."]
    stored = Signal.objects.get()
    assert (stored.pk, stored.household_id) == (results[1]["signal_id"], household.pk)
    assert stored.id_number_masked.startswith("620423********") and stored.member is not None


def test_a_matched_household_is_marked_and_queued_after_commit(
    api_client_user, household, django_capture_on_commit_callbacks, monkeypatch
):
    from core import queueing

    queued = []
    monkeypatch.setattr(queueing, "enqueue", lambda task_name, args, queue: queued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        post(api_client_user, [person("G1", HEAD_ID), person("G2", HEAD_ID)])
    household.refresh_from_db()
    assert household.evaluation_pending_since is not None
    assert queued == [household.pk]


def test_a_batch_that_fails_leaves_nothing(api_client_user, household, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the scan could not be started")

    Household.objects.filter(pk=household.pk).update(evaluation_pending_since=None)
    monkeypatch.setattr(signal_services, "area_events_from_signals", broken)
    area = {
        "source": "emergency",
        "external_id": "H2",
        "kind": "disaster_area",
        "occurred_on": "2026-06-20",
        "region_code": "620423100000",
    }
    with pytest.raises(RuntimeError):
        signal_services.signals_receive(
            actor=api_client_user,
            items=[
                signal_services.SignalItem(
                    source="medical_insurance",
                    external_id="H1",
                    kind="large_medical_expense",
                    occurred_on=household.created_at.date(),
                    id_number=HEAD_ID,
                ),
                signal_services.SignalItem(
                    source=area["source"],
                    external_id="H2",
                    kind=area["kind"],
                    occurred_on=household.created_at.date(),
                    region_code=area["region_code"],
                ),
            ],
        )
    assert not Signal.objects.exists()
    assert Household.objects.get(pk=household.pk).evaluation_pending_since is None


@committed_db
def test_the_same_batch_posted_twice_at_once_is_stored_once(api_client_user, household):
    items = [person("K-head", HEAD_ID)] + strangers(60, "K")
    answers, start = [], threading.Barrier(2)

    def send():
        try:
            start.wait()
            answers.append(post(api_client_user, items))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200, 200]
    first, second = (answer.json() for answer in answers)
    for a, b in zip(first, second, strict=True):
        assert "duplicate" in (a["result"], b["result"]) and a["result"] != b["result"]
    assert Signal.objects.count() == 61


def test_a_pair_stored_after_the_check_is_answered_duplicate(
    api_client_user, household, monkeypatch
):
    # What a concurrent request looks like from here: the pair was not there when the batch
    # looked, and is there when it inserts. The INSERT skips it instead of failing.
    post(api_client_user, [person("L1", HEAD_ID)])
    monkeypatch.setattr(signal_services, "_already_received", lambda items: set())
    results = post(api_client_user, [person("L1", HEAD_ID), person("L2", HEAD_ID)]).json()
    assert [r["result"] for r in results] == ["duplicate", "received"]
    assert results[0]["signal_id"] is None
    assert Signal.objects.count() == 2


def test_a_signal_reads_as_words_where_a_history_names_it(api_client_user, household):
    # A loan's history names its overdue signal: who sent what, of which day, not a reference.
    post(api_client_user, [person("MI-2026-0042", HEAD_ID)])
    words = str(Signal.objects.get(external_id="MI-2026-0042"))
    assert "MI-2026-0042" not in words
    assert "2026" in words and len(words) > len("2026")
