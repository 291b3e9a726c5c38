"""The county sets how many working days its village has to accept a household's own report."""

import pytest
from django.core.exceptions import ValidationError

from assistance import steps
from assistance.deadlines import Deadlines
from assistance.models import DeadlineProfile
from assistance.services import deadlines as deadline_services
from tests.conftest import HOME_COUNTY, HOME_VILLAGE

pytestmark = pytest.mark.django_db


def _save(actor, **extra):
    return deadline_services.deadline_profile_save(
        actor=actor,
        region_code=HOME_COUNTY,
        name="景泰县",
        limits=steps.national_limits(),
        notice_min_days=5,
        escalate_after_working_days=3,
        **extra,
    )


def test_a_county_sets_its_acceptance_days_and_keeps_them_when_not_named(county_officer):
    _save(county_officer, self_report_acceptance_days=5)
    assert Deadlines().profile_for(HOME_VILLAGE).self_report_acceptance_days == 5
    _save(county_officer)
    assert DeadlineProfile.objects.get(region_code=HOME_COUNTY).self_report_acceptance_days == 5


def test_acceptance_days_out_of_bounds_are_refused_and_nothing_is_written(county_officer):
    with pytest.raises(ValidationError) as refused:
        _save(county_officer, self_report_acceptance_days=0)
    assert "self_report_acceptance_days" in refused.value.message_dict
    assert not DeadlineProfile.objects.filter(region_code=HOME_COUNTY).exists()
