"""The capacity gatherer on a real household: members, work records and a training measure give
an exact score; readings are written once a day and ask for the evaluation when they cross the
rule's threshold; the rule then fires with its reasons."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from assistance.models import Case, Measure, MeasureStatus
from development.services.capacity import measure_all, measure_capacity
from households.models import Household
from livelihoods.models import WorkRecord
from monitoring import scans
from monitoring.models import CapacityReading
from monitoring.services.capacity import capacity_weights_save

AS_OF = datetime.date(2026, 6, 30)
COUNTY = "620423000000"


def months(first: datetime.date, count: int) -> list[datetime.date]:
    found, year, month = [], first.year, first.month
    for _ in range(count):
        found.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def work(household, member, *, recorded: int, worked: int, actor) -> None:
    for index, month in enumerate(months(datetime.date(2025, 7, 1), recorded)):
        working = index < worked
        WorkRecord.objects.create(
            household=household,
            member=member,
            month=month,
            status="working" if working else "seeking",
            place="county" if working else "",
            source="form",
            recorded_by=actor,
        )


def training(household, actor, *, ended: datetime.date, kind="employment", **extra) -> Measure:
    case = Case.objects.filter(household=household).first() or Case.objects.create(
        household=household,
        village_id=household.village_id,
        origin="cadre",
        risk_types=["illness"],
        category="unstable",
        proposed_by=actor,
        proposed_on=ended - datetime.timedelta(days=60),
        responsible=actor,
    )
    return Measure.objects.create(
        case=case,
        kind=kind,
        title="电焊技能培训",
        responsible=actor,
        created_by=actor,
        planned_start=ended - datetime.timedelta(days=30),
        actual_start=ended - datetime.timedelta(days=30),
        actual_end=ended,
        status=MeasureStatus.DELIVERED,
        **extra,
    )


@pytest.fixture
def measured(household, township_cadre):
    """The fixture's household: the head (58, ordinary labour, chronic illness, junior
    secondary) worked 12 of 12 months; the spouse (56, ordinary labour, primary school) 3 of the
    6 months recorded; one employment training delivered in May."""
    head, spouse = household.members.order_by("id")
    work(household, head, recorded=12, worked=12, actor=township_cadre)
    work(household, spouse, recorded=6, worked=3, actor=township_cadre)
    training(household, township_cadre, ended=datetime.date(2026, 5, 20))
    # An old training (more than a year ago) and a planned one do not count.
    training(household, township_cadre, ended=datetime.date(2025, 5, 1))
    return household


def test_the_gatherer_gives_the_exact_score_with_its_components(measured):
    assert measure_capacity(actor=None, households=Household.objects.all(), as_of=AS_OF) == 1
    reading = CapacityReading.objects.get(household=measured)
    # labour (1 + 1)/2 = 1 → 25 of 25 (the head's illness is not read: only the registry's
    # labour grade, which the cadre sets from it, counts); skills (1/2 + 1/4)/2 = 3/8 → 5.625 of 15;
    # work (12 + 3)/24 = 5/8 → 15.625 of 25; participation one training 1/4 → 3.75 of 15;
    # credit: never borrowed, 1/2 → 5 of 10; commitments not recorded (no plan reviewed): its
    # 10 shared, the known 90 scaled to 100. (25 + 5.625 + 15.625 + 3.75 + 5) / 90 · 100 = 61.1…
    assert reading.score == 61
    assert reading.working_age == 2
    by_code = {c["code"]: c for c in reading.components}
    assert by_code["labour"] == {
        "code": "labour",
        "value": 1.0,
        "weight": 25,
        "share": 27.8,
        "points": 27.8,
        "reason": "all_able",
        "details": {"working_age": 2, "able": 2},
    }
    assert by_code["work"]["details"] == {"members": 2, "months": [12, 3]}
    assert by_code["participation"]["details"] == {"trainings": 1, "links": 0}
    assert by_code["commitments"]["value"] is None
    assert by_code["commitments"]["reason"] == "not_recorded"
    assert (by_code["credit"]["value"], by_code["credit"]["points"]) == (0.5, 5.6)
    assert reading.weights_version == 1 and reading.weights is not None


def test_a_county_s_own_weights_are_used_and_kept_on_the_reading(measured, county_officer):
    row = capacity_weights_save(
        actor=county_officer,
        region_code=COUNTY,
        weights={
            "labour": 100,
            "skills": 0,
            "work": 0,
            "participation": 0,
            "commitments": 0,
            "credit": 0,
        },
    )
    measure_capacity(actor=None, households=Household.objects.all(), as_of=AS_OF)
    reading = CapacityReading.objects.get(household=measured)
    assert reading.score == 100  # labour alone: both able, the head's illness not read
    assert (reading.weights_id, reading.weights_version) == (row.pk, 1)


def test_measuring_again_the_same_day_replaces_the_reading(measured):
    measure_all(as_of=AS_OF)
    WorkRecord.objects.filter(household=measured).delete()
    measure_all(as_of=AS_OF)
    reading = CapacityReading.objects.get(household=measured)
    assert {c["code"]: c["reason"] for c in reading.components}["work"] == "not_recorded"
    measure_all(as_of=AS_OF + datetime.timedelta(days=31))
    assert CapacityReading.objects.filter(household=measured).count() == 2


def test_a_reading_below_the_threshold_asks_for_the_evaluation_and_the_rule_fires(
    household, township_cadre, django_capture_on_commit_callbacks
):
    # Nobody worked: both members recorded six months without work; no training; the spouse
    # can work only in part.
    head, spouse = household.members.order_by("id")
    type(spouse).objects.filter(pk=spouse.pk).update(labour="weak")
    work(household, head, recorded=6, worked=0, actor=township_cadre)
    work(household, spouse, recorded=6, worked=0, actor=township_cadre)
    Household.objects.filter(pk=household.pk).update(evaluation_pending_since=None)
    with django_capture_on_commit_callbacks():
        measure_capacity(actor=None, households=Household.objects.all(), as_of=AS_OF)
    household.refresh_from_db()
    assert CapacityReading.objects.get(household=household).score < 40
    assert household.evaluation_pending_since is not None
    scans.evaluate_one(household.pk, as_of=AS_OF)
    household.refresh_from_db()
    reason = next(r for r in household.risk_reasons if r["code"] == "weak_capacity")
    assert reason["severity"] == "low"
    assert reason["evidence"]["measured_on"] == AS_OF.isoformat()
    assert reason["evidence"]["below"] == 40
    # Measured again the next day with the same score: nothing crossed, nothing asked.
    Household.objects.filter(pk=household.pk).update(evaluation_pending_since=None)
    measure_capacity(
        actor=None,
        households=Household.objects.all(),
        as_of=AS_OF + datetime.timedelta(days=1),
    )
    household.refresh_from_db()
    assert household.evaluation_pending_since is None


def test_a_person_measures_only_with_the_permission_and_only_their_region(
    household, other_township_household, county_officer, village_worker, other_county_officer
):
    with pytest.raises(PermissionDenied):
        measure_capacity(actor=village_worker, households=Household.objects.all(), as_of=AS_OF)
    assert (
        measure_capacity(
            actor=other_county_officer, households=Household.objects.all(), as_of=AS_OF
        )
        == 0
    )
    assert not CapacityReading.objects.exists()
    assert (
        measure_capacity(actor=county_officer, households=Household.objects.all(), as_of=AS_OF) == 2
    )


def test_the_gatherer_queries_per_chunk_not_per_household(
    household, other_township_household, township_cadre, django_assert_max_num_queries
):
    measure_all(as_of=AS_OF)  # warm: ContentTypes, the policy's first reads
    CapacityReading.objects.all().delete()
    # A fixed number a chunk: members, work, trainings, links (measures and livelihoods),
    # commitments kept, credit standing, weights, the upsert and the evaluations asked for.
    with django_assert_max_num_queries(21):
        measure_all(as_of=AS_OF)
    assert CapacityReading.objects.count() == 2


def test_the_command_measures_every_household_and_refuses_a_bad_date(
    household, other_township_household
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("measure_capacity", "--as-of", "2026-06-30", stdout=out)
    assert "2 households measured on 2026-06-30" in out.getvalue()
    assert set(CapacityReading.objects.values_list("measured_on", flat=True)) == {AS_OF}
    call_command("measure_capacity", "--as-of", "2026-07-31", "--scope", "620423100", stdout=out)
    assert CapacityReading.objects.filter(measured_on="2026-07-31").count() == 1
    with pytest.raises(CommandError):
        call_command("measure_capacity", "--as-of", "30/06/2026")
    with pytest.raises(CommandError):
        call_command("measure_capacity", "--scope", "6204%")


def test_the_monthly_task_measures_on_the_month_s_last_day_only(household, time_machine):
    from development.tasks import measure_capacity_monthly

    time_machine.move_to(datetime.datetime(2026, 6, 29, 12, tzinfo=datetime.UTC))
    assert measure_capacity_monthly() == 0
    time_machine.move_to(datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.UTC))
    assert measure_capacity_monthly() == 1
    assert CapacityReading.objects.get().measured_on == AS_OF


def test_an_enterprise_link_counts_once_as_a_link_and_never_as_a_training(
    household, township_cadre
):
    """A 联农带农 link recorded in livelihoods is participation's link half; it is not also a
    training (the merge of the gatherer once added the links to the trainings too)."""
    from assistance.models import Partner, PartnerKind
    from livelihoods.models import IndustrySupport

    cooperative = Partner.objects.create(
        name="水源村种植专业合作社", kind=PartnerKind.COOPERATIVE, area_id=COUNTY
    )
    IndustrySupport.objects.create(
        household=household,
        kind="wages",
        partner=cooperative,
        amount=3600,
        starts_on=datetime.date(2026, 1, 1),
        recorded_by=township_cadre,
    )
    measure_capacity(actor=None, households=Household.objects.all(), as_of=AS_OF)
    reading = CapacityReading.objects.get(household=household)
    participation = {c["code"]: c for c in reading.components}["participation"]
    assert participation["details"] == {"trainings": 0, "links": 1}
    assert (participation["reason"], participation["value"]) == ("linked", 0.5)


def test_a_member_s_health_and_disability_change_no_reading(measured):
    """Health and disability are withheld from every role until unmasked: a capacity they
    lowered would tell every reader of the household page who is ill."""
    measure_capacity(actor=None, households=Household.objects.all(), as_of=AS_OF)
    before = CapacityReading.objects.get(household=measured)
    head = measured.members.order_by("id").first()
    type(head).objects.filter(pk=head.pk).update(health="serious", disability="grade_1")
    CapacityReading.objects.all().delete()
    measure_capacity(actor=None, households=Household.objects.all(), as_of=AS_OF)
    after = CapacityReading.objects.get(household=measured)
    assert (after.score, after.components) == (before.score, before.components)
