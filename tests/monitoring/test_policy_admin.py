"""The admin's income lines and rule settings save through their services (monitoring/admin.py):
a change the service refuses is shown on the form, saved nowhere and logged nowhere (issue 14:
the admin said "added" and logged an ADDITION for a change its service had refused)."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry

from monitoring.models import IncomeLine, RuleConfig
from tests.conftest import HOME_COUNTY, OTHER_COUNTY, client_for

pytestmark = pytest.mark.django_db

ADD_LINE = "/admin/monitoring/incomeline/add/"
ADD_RULE = "/admin/monitoring/ruleconfig/add/"


def add_line(client, **fields):
    data = {"region": HOME_COUNTY, "year": "2026", "amount": "7000", "note": "", **fields}
    return client.post(ADD_LINE, {**data, "_save": "1"}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"region": OTHER_COUNTY}, "No such region in your area."),
        ({"region": ""}, "Only a system administrator sets national values."),
        ({"amount": "0"}, "A line must be more than zero."),
    ],
)
def test_a_line_the_service_refuses_shows_its_error_and_is_neither_saved_nor_logged(
    county_officer, fields, message
):
    before = list(IncomeLine.objects.order_by("pk").values_list("pk", "version"))
    response = add_line(client_for(county_officer), **fields)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "was added successfully" not in page
    assert list(IncomeLine.objects.order_by("pk").values_list("pk", "version")) == before
    assert not LogEntry.objects.exists()


def test_a_line_the_service_accepts_is_saved_logged_and_linked(county_officer):
    response = add_line(client_for(county_officer))
    line = IncomeLine.objects.get(region_id=HOME_COUNTY)
    assert (line.region_id, line.year, line.amount) == (HOME_COUNTY, 2026, Decimal("7000"))
    assert response.status_code == 302
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.object_id) == (ADDITION, str(line.pk))


def test_changing_a_line_goes_through_the_service(county_officer):
    line = IncomeLine.objects.create(region_id=HOME_COUNTY, year=2026, amount=Decimal("6800"))
    response = client_for(county_officer).post(
        f"/admin/monitoring/incomeline/{line.pk}/change/",
        {"region": HOME_COUNTY, "year": "2026", "amount": "7100", "note": "", "_save": "1"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.amount, line.version) == (Decimal("7100"), 2)  # the service counts versions


def add_rule(client, **fields):
    data = {
        "code": "labour_loss",
        "region": HOME_COUNTY,
        "enabled": "on",
        "severity": "high",
        "weight": "10",
        **fields,
    }
    return client.post(ADD_RULE, {**data, "_save": "1"}, HTTP_ACCEPT_LANGUAGE="en")


def test_a_rule_setting_with_a_bad_threshold_shows_its_error(county_officer):
    response = add_rule(client_for(county_officer), days="99999")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 3650." in page
    assert "was added successfully" not in page
    assert not RuleConfig.objects.filter(region_id=HOME_COUNTY).exists()
    assert not LogEntry.objects.exists()


def test_thresholds_are_labelled_fields_and_only_the_rule_s_own_are_kept(county_officer):
    client = client_for(county_officer)
    form = client.get(ADD_RULE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Days an event or signal counts" not in form and "事件或信号计入的天数" in form
    assert '"days"' not in form or "{" not in form.split('name="days"')[0][-200:]
    response = add_rule(client, days="60", factor="1.5", severity_death="low")
    assert response.status_code == 302
    rule = RuleConfig.objects.get(region_id=HOME_COUNTY, code="labour_loss")
    assert rule.params == {"days": 60}  # factor and the signal's severity are other rules'


def test_a_signal_kind_s_severity_is_a_choice(county_officer):
    response = add_rule(
        client_for(county_officer), code="department_signal", days="", severity_death="medium"
    )
    assert response.status_code == 302
    rule = RuleConfig.objects.get(region_id=HOME_COUNTY, code="department_signal")
    assert rule.params == {"kind_severity": {"death": "medium"}}


def test_the_change_form_shows_the_rule_s_own_thresholds_filled_in(county_officer):
    add_rule(client_for(county_officer), days="45")
    rule = RuleConfig.objects.get(region_id=HOME_COUNTY, code="labour_loss")
    page = client_for(county_officer).get(
        f"/admin/monitoring/ruleconfig/{rule.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert 'name="days"' in html and 'value="45"' in html
    assert 'name="factor"' not in html and 'name="severity_death"' not in html
