"""Starting a backtest through its doors: bad input refused (translated, nothing written), the
API and the pages scoped to the user's county, the command's table."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from backtests import services
from backtests.models import BacktestRun
from tests.backtests.conftest import TODAY
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

GOOD = {
    "region_code": "620423",
    "period_start": datetime.date(2025, 7, 1),
    "period_end": datetime.date(2026, 2, 1),
    "horizon_months": 3,
    "today": TODAY,
}


def refused(actor, field: str, **changes) -> str:
    with pytest.raises(ValidationError) as refusal:
        services.backtest_start(actor=actor, **{**GOOD, **changes})
    assert BacktestRun.objects.count() == 0
    assert field in refusal.value.message_dict, refusal.value.message_dict
    return " ".join(refusal.value.message_dict[field])


@pytest.mark.parametrize(
    ("field", "changes", "words"),
    [
        ("period_end", {"period_end": datetime.date(2026, 7, 1)}, "月末"),  # today is 30 June
        ("period_end", {"period_end": datetime.date(2027, 1, 1)}, "月末"),
        ("period_start", {"period_start": datetime.date(2025, 3, 1)}, "2025-04"),
        ("period_start", {"period_start": datetime.date(2026, 3, 1)}, ""),
        ("horizon_months", {"horizon_months": 0}, "24"),
        ("horizon_months", {"horizon_months": 25}, "24"),
        ("region", {"region_code": "620421"}, ""),  # another county
        ("region", {"region_code": "62"}, ""),
        ("proposed", {"proposed": {"no_such_rule": {"enabled": False}}}, "no_such_rule"),
        ("proposed", {"proposed": {"income_drop": {"params": {"drop": "much"}}}}, "drop"),
        ("proposed", {"proposed": {"income_drop": {"weight": -1}}}, ""),
        ("proposed", {"proposed": ["income_drop"]}, ""),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    history, county_officer, field, changes, words
):
    message = refused(county_officer, field, **changes)
    assert words in message


def test_a_period_longer_than_36_months(history, county_officer):
    from households.models import Household

    Household.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    from monitoring.models import Visit

    Visit.objects.filter(visited_on=datetime.date(2025, 6, 15)).update(
        visited_on=datetime.date(2020, 6, 15)
    )
    message = refused(county_officer, "period_start", period_start=datetime.date(2022, 1, 1))
    assert "36" in message


def test_a_township_cadre_may_not_start_one(history, township_cadre):
    with pytest.raises(PermissionDenied):
        services.backtest_start(actor=township_cadre, **GOOD)
    assert BacktestRun.objects.count() == 0


def test_the_period_may_end_today(history, county_officer):
    run = services.backtest_start(
        actor=county_officer, **{**GOOD, "period_end": datetime.date(2026, 6, 1)}
    )
    assert run.period_end == TODAY


def test_the_same_request_twice_makes_one_run(history, county_officer):
    first = services.backtest_start(actor=county_officer, **GOOD)
    again = services.backtest_start(actor=county_officer, **GOOD)
    assert first.pk == again.pk and BacktestRun.objects.count() == 1
    assert first.status == "queued" and first.months_total == 8
    assert first.period_start == datetime.date(2025, 7, 31)


def test_the_api_starts_reads_and_scopes(history, county_officer, other_county_officer, auditor):
    client = client_for(county_officer)
    body = {
        "region": "620423",
        "period_start": "2025-07",
        "period_end": "2026-02",
        "horizon_months": 3,
        "proposed": {"income_below_line": {"enabled": False}},
    }
    answer = client.post("/api/v1/backtests/", body, content_type="application/json")
    assert answer.status_code == 202, answer.content
    run = BacktestRun.objects.get()
    assert answer.json()["id"] == run.pk and answer.json()["status"] == "queued"
    services.backtest_run(run.pk, today=TODAY)
    detail = client.get(f"/api/v1/backtests/{run.pk}/").json()
    assert detail["status"] == "done"
    assert detail["figures"]["configs"]["A"]["all"]["hits"] == 1
    assert detail["figures"]["configs"]["B"]["rules"]["income_below_line"]["flagged"] == 0
    assert client_for(auditor).get(f"/api/v1/backtests/{run.pk}/").status_code == 200
    outsider = client_for(other_county_officer)
    assert outsider.get(f"/api/v1/backtests/{run.pk}/").status_code == 404
    assert outsider.get("/api/v1/backtests/").json()["results"] == []
    refused_body = {**body, "region": "620423", "period_end": "2099-01"}
    answer = outsider.post("/api/v1/backtests/", refused_body, content_type="application/json")
    assert answer.status_code == 400
    answer = client.post(
        "/api/v1/backtests/", {**body, "period_end": "2099-01"}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "period_end" in json.dumps(answer.json())
    assert BacktestRun.objects.count() == 1


def test_the_pages(history, county_officer, other_county_officer, township_cadre):
    client = client_for(county_officer)
    page = client.get("/backtests/")
    assert page.status_code == 200
    answer = client.post(
        "/backtests/",
        {
            "region": "620423",
            "period_start": "2025-07",
            "period_end": "2099-02",
            "horizon_months": 3,
        },
    )
    assert answer.status_code == 400 and BacktestRun.objects.count() == 0
    assert "月末" in answer.content.decode()
    answer = client.post(
        "/backtests/",
        {
            "region": "620423",
            "period_start": "2025-07",
            "period_end": "2026-02",
            "horizon_months": 3,
        },
    )
    run = BacktestRun.objects.get()
    assert answer.status_code == 302 and answer.url == f"/backtests/{run.pk}/"
    services.backtest_run(run.pk, today=TODAY)
    report = client.get(f"/backtests/{run.pk}/").content.decode()
    from monitoring.labels import RULE_LABELS

    assert "61" in report and str(RULE_LABELS["income_below_line"]) in report
    assert client_for(other_county_officer).get(f"/backtests/{run.pk}/").status_code == 404
    assert client_for(township_cadre).get("/backtests/").status_code == 403
    assert client_for(county_officer).get("/backtests/help/").status_code == 200


def test_the_command_prints_the_table(history, tmp_path):
    proposed = tmp_path / "b.json"
    proposed.write_text(json.dumps({"income_below_line": {"enabled": False}}))
    out = io.StringIO()
    call_command(
        "backtest",
        "--region=620423",
        "--from=2025-07",
        "--to=2026-02",
        "--horizon=3",
        f"--compare={proposed}",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert "6 households" in lines[0] and "8 month-ends" in lines[0]
    overall = lines[2].split("\t")
    assert overall[0] == "all"
    # flagged A, flagged B, hits A, hits B, days earlier A, days earlier B …
    assert overall[1:7] == ["2", "2", "1", "1", "61", "61"]
    assert BacktestRun.objects.get().status == "done"


def test_a_run_whose_worker_died_is_marked_failed_and_may_be_asked_again(history, county_officer):
    from django.utils import timezone

    run = services.backtest_start(actor=county_officer, **GOOD, queue=False)
    BacktestRun.objects.filter(pk=run.pk).update(
        status=BacktestRun.Status.RUNNING, started_at=timezone.now()
    )
    # Running for two hours is still a worker at work (a province's county takes long).
    later = timezone.now() + datetime.timedelta(hours=2)
    assert services.backtest_fail_stalled(now=later) == 0
    # Past three hours, its worker is gone: the same request would otherwise answer it for ever.
    assert services.backtest_fail_stalled(now=later + datetime.timedelta(hours=2)) == 1
    run.refresh_from_db()
    assert (run.status, run.error) == (BacktestRun.Status.FAILED, services.STALLED)
    page = client_for(county_officer).get(f"/backtests/{run.pk}/").content.decode()
    assert "请重新发起同样的回测" in page
    again = services.backtest_start(actor=county_officer, **GOOD, queue=False)
    assert again.pk != run.pk and again.status == BacktestRun.Status.QUEUED
