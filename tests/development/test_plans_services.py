"""Drafting, agreeing, reviewing and closing a plan, and the bad input each refuses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.eligibility import months_after
from core.errors import EditConflict
from development.models import DevelopmentPlan, PlanCommitment, PlanReview, ReviewItem
from development.selectors.plans import commitments_kept
from development.services import plans as services
from tests.development.conftest import visit
from tests.idgen import make_id_number

pytestmark = pytest.mark.django_db


def ratings_for(plan, *, commitments="kept", goals="on_track", why="天气原因"):
    ratings = {f"goal-{g.pk}": (goals, "" if goals == "reached" else why) for g in plan.goals.all()}
    for c in plan.commitments.all():
        ratings[f"commitment-{c.pk}"] = (commitments, "" if commitments == "kept" else why)
    return ratings


def test_a_plan_for_a_household_outside_the_actors_region_is_refused(
    other_township_household, village_worker
):
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=village_worker, household_id=other_township_household.pk)
    assert "household" in error.value.message_dict
    assert not DevelopmentPlan.objects.exists()


def test_a_partner_or_an_auditor_may_not_draft_a_plan(household, partner, auditor):
    for user in (partner, auditor):
        with pytest.raises(PermissionDenied):
            services.plan_create(actor=user, household_id=household.pk)
    assert not DevelopmentPlan.objects.exists()


def test_a_household_has_one_open_plan(draft, household, township_cadre):
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=township_cadre, household_id=household.pk)
    assert error.value.message_dict["household"] == ["该户已有一份未关闭的计划。"]
    assert DevelopmentPlan.objects.count() == 1


def test_a_commitment_without_a_goal_is_refused_and_nothing_is_written(draft, village_worker):
    before = (PlanCommitment.objects.count(), draft.version)
    for goal_id in (None, 999999):
        with pytest.raises(ValidationError) as error:
            services.commitment_save(
                actor=village_worker,
                plan_id=draft.pk,
                version=draft.version,
                goal_id=goal_id,
                party="household",
                description="参加培训",
            )
        assert "goal" in error.value.message_dict
    draft.refresh_from_db()
    assert (PlanCommitment.objects.count(), draft.version) == before


def test_the_assistance_side_names_a_measure_not_a_member(draft, household, village_worker):
    goal = draft.goals.first()
    head = household.members.get(relation="head")
    with pytest.raises(ValidationError) as error:
        services.commitment_save(
            actor=village_worker,
            plan_id=draft.pk,
            version=draft.version,
            goal_id=goal.pk,
            party="assistance",
            description="推荐就业",
            member_id=head.pk,
        )
    assert "member" in error.value.message_dict


def test_an_edit_made_on_an_old_version_is_refused(draft, village_worker):
    stale = draft.version - 1
    with pytest.raises(EditConflict):
        services.goal_save(
            actor=village_worker,
            plan_id=draft.pk,
            version=stale,
            area="income",
            description="养牛增收",
        )
    assert draft.goals.count() == 2


def test_agreement_needs_a_goal_an_adult_member_and_a_witness_for_spoken_consent(
    household, village_worker, township_cadre, clock
):
    plan = services.plan_create(actor=village_worker, household_id=household.pk)
    head = household.members.get(relation="head")
    with pytest.raises(ValidationError, match="至少填写一个目标"):
        services.plan_agree(
            actor=township_cadre,
            plan_id=plan.pk,
            version=plan.version,
            member_id=head.pk,
            method="signature",
        )
    services.goal_save(
        actor=village_worker, plan_id=plan.pk, version=None, area="income", description="养羊"
    )
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.plan_agree(
            actor=township_cadre,
            plan_id=plan.pk,
            version=plan.version,
            member_id=head.pk,
            method="spoken",
        )
    assert "witness" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.plan_agree(
            actor=village_worker,
            plan_id=plan.pk,
            version=plan.version,
            member_id=head.pk,
            method="signature",
        )
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.agreed_on is None

    agreed = services.plan_agree(
        actor=township_cadre,
        plan_id=plan.pk,
        version=plan.version,
        member_id=head.pk,
        method="spoken",
        witness="村主任王明",
    )
    assert agreed.status == "agreed"
    assert agreed.consent_member == head
    assert agreed.next_review_due == months_after(clock.today(), 3)


def test_an_agreed_plan_is_not_changed(agreed, village_worker):
    with pytest.raises(ValidationError, match="只有草稿状态的计划可以修改"):
        services.goal_save(
            actor=village_worker,
            plan_id=agreed.pk,
            version=agreed.version,
            area="income",
            description="养羊",
        )


def test_plan_review_on_a_visit_rates_every_goal_and_commitment_once(
    agreed, later_visit, village_worker, household, other_township_household, clock
):
    # A missing rating, a "not kept" without why: refused, nothing written.
    ratings = ratings_for(agreed, commitments="not_kept")
    missing = dict(ratings)
    missing.popitem()
    no_why = {key: (rating, "") for key, (rating, _why) in ratings.items()}
    for bad in (missing, no_why):
        with pytest.raises(ValidationError):
            services.plan_review(
                actor=village_worker, plan_id=agreed.pk, visit_id=later_visit.pk, ratings=bad
            )
    assert not PlanReview.objects.exists() and not ReviewItem.objects.exists()

    review, created = services.plan_review(
        actor=village_worker,
        plan_id=agreed.pk,
        visit_id=later_visit.pk,
        ratings=ratings,
        notes="培训没报上名",
    )
    assert created
    assert review.reviewed_on == later_visit.visited_on
    assert review.items.count() == 4  # two goals, two commitments
    assert set(review.items.values_list("rating", flat=True)) == {"on_track", "not_kept"}
    agreed.refresh_from_db()
    assert agreed.next_review_due == months_after(later_visit.visited_on, 3)

    # Sent again (a double tap): the same review, nothing more written.
    again, created = services.plan_review(
        actor=village_worker,
        plan_id=agreed.pk,
        visit_id=later_visit.pk,
        ratings=ratings_for(agreed),
    )
    assert (again.pk, created) == (review.pk, False)
    assert ReviewItem.objects.count() == 4


def test_a_review_on_a_visit_of_another_household_is_refused(
    agreed, village_worker, township_cadre, clock
):
    from households import services as household_services

    neighbour = household_services.household_create(
        actor=township_cadre, village_code=agreed.household.village_id, poverty_status="ordinary"
    )
    household_services.member_create(
        actor=township_cadre,
        household_id=neighbour.pk,
        name="王五",
        id_number=make_id_number("620423", "19750101", 5),
        relation="head",
        labour="ordinary",
        education="junior",
    )
    elsewhere = visit(village_worker, neighbour, on=clock.today(), per_person=Decimal("9000"))
    with pytest.raises(ValidationError) as error:
        services.plan_review(
            actor=village_worker,
            plan_id=agreed.pk,
            visit_id=elsewhere.pk,
            ratings=ratings_for(agreed),
        )
    assert "visit" in error.value.message_dict
    assert not PlanReview.objects.exists()


def test_commitments_kept_reads_the_household_side_of_the_latest_review(
    agreed, later_visit, village_worker, household, clock
):
    day = later_visit.visited_on
    assert commitments_kept([household.pk], day) == {}
    services.plan_review(
        actor=village_worker,
        plan_id=agreed.pk,
        visit_id=later_visit.pk,
        ratings=ratings_for(agreed, commitments="partly"),
    )
    assert commitments_kept([household.pk], day) == {household.pk: (0.5, 1)}
    assert commitments_kept([household.pk], day - datetime.timedelta(days=1)) == {}
    clock.advance(30)
    second = visit(village_worker, household, on=clock.today(), per_person=Decimal("9000"))
    services.plan_review(
        actor=village_worker,
        plan_id=agreed.pk,
        visit_id=second.pk,
        ratings=ratings_for(agreed, commitments="kept"),
    )
    assert commitments_kept([household.pk], clock.today()) == {household.pk: (1.0, 1)}
    assert commitments_kept([household.pk], day) == {household.pk: (0.5, 1)}
    assert commitments_kept([], clock.today()) == {}


def test_a_closed_plan_makes_room_for_a_new_one(agreed, township_cadre, village_worker, household):
    with pytest.raises(ValidationError):
        services.plan_close(
            actor=township_cadre, plan_id=agreed.pk, version=agreed.version, reason=""
        )
    with pytest.raises(PermissionDenied):
        services.plan_close(
            actor=village_worker, plan_id=agreed.pk, version=agreed.version, reason="目标达成"
        )
    closed = services.plan_close(
        actor=township_cadre, plan_id=agreed.pk, version=agreed.version, reason="目标达成"
    )
    assert closed.status == "closed" and closed.next_review_due is None
    fresh = services.plan_create(actor=village_worker, household_id=household.pk)
    assert fresh.status == "draft"


@pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(1988, 6, 21)])
def test_an_agreement_dated_years_back_is_refused_and_the_year_1_is_no_500(
    draft, household, township_cadre, day
):
    """The year 1 once made a ValueError (500) of the adult members' bound; 1988 was taken, a
    plan drafted today agreed 38 years ago and its review overdue since."""
    spouse = household.members.get(relation="spouse")
    with pytest.raises(ValidationError) as refused:
        services.plan_agree(
            actor=township_cadre,
            plan_id=draft.pk,
            version=draft.version,
            member_id=spouse.pk,
            method="signature",
            agreed_on=day,
        )
    assert "agreed_on" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.agreed_on is None
