import datetime
from decimal import Decimal

from livelihoods.models import WorkRecord
from livelihoods.services import posts, work
from tests.assistance.conftest import visit
from tests.conftest import client_for
from tests.livelihoods.conftest import THIS_MONTH, TODAY, months_ago
from worklist.selectors import tasks_for


def _row(member, **values) -> dict:
    return {f"m{member.pk}-{key}": value for key, value in values.items()}


def test_household_page_offers_this_months_work_with_the_visit(village_worker, household):
    recorded = visit(village_worker, household, on=TODAY, per_person=Decimal("9000"))
    page = client_for(village_worker).get(f"/households/{household.pk}/").content.decode()
    assert f"/households/{household.pk}/work/?visit={recorded.pk}" in page
    assert f"/households/{household.pk}/livelihood/" in page


def test_the_work_form_is_prefilled_and_saves_every_member_on_the_visit(
    village_worker, household, head, spouse, child
):
    work.work_record_save(
        actor=village_worker,
        member_id=head.pk,
        month=months_ago(1),
        status="working",
        place="outside",
        employer="兰州建工",
    )
    recorded = visit(village_worker, household, on=TODAY, per_person=Decimal("9000"))
    url = f"/households/{household.pk}/work/?visit={recorded.pk}"
    client = client_for(village_worker)
    page = client.get(url).content.decode()
    # Last month's record fills the head's row; the child (ten) has no row.
    assert 'value="兰州建工"' in page
    assert "张小明" not in page and "李秀英" in page
    response = client.post(
        url,
        {
            **_row(head, status="working", place="outside", employer="兰州建工", version=0),
            **_row(spouse, status="seeking", version=0),
        },
    )
    assert response.status_code == 302
    records = WorkRecord.objects.filter(month=THIS_MONTH)
    assert {(r.member_id, r.status, r.source, r.visit_id) for r in records} == {
        (head.pk, "working", "visit", recorded.pk),
        (spouse.pk, "seeking", "visit", recorded.pk),
    }


def test_one_bad_row_saves_nothing_and_says_why(village_worker, household, head, spouse):
    response = client_for(village_worker).post(
        f"/households/{household.pk}/work/",
        {
            **_row(head, status="working", place="county", version=0),
            # Not working, yet with an employer: refused.
            **_row(spouse, status="seeking", employer="某厂", version=0),
        },
    )
    assert response.status_code == 400
    assert "只有在务工的成员" in response.content.decode()
    assert not WorkRecord.objects.exists()


def test_a_future_month_or_someone_elses_visit_is_not_found(
    village_worker, household, other_township_household, other_township_cadre
):
    client = client_for(village_worker)
    future = (THIS_MONTH + datetime.timedelta(days=40)).strftime("%Y-%m")
    assert client.get(f"/households/{household.pk}/work/?month={future}").status_code == 404
    assert client.get(f"/households/{household.pk}/work/?visit=x").status_code == 404
    outsider = client_for(other_township_cadre)
    assert outsider.get(f"/households/{household.pk}/work/").status_code == 404
    assert outsider.get(f"/households/{household.pk}/livelihood/").status_code == 404


def test_livelihood_page_shows_the_year_posts_and_claims(
    village_worker, township_cadre, household, head, spouse
):
    for back in range(3):
        work.work_record_save(
            actor=village_worker,
            member_id=head.pk,
            month=months_ago(back),
            status="working",
            place="county",
        )
    posts.post_create(
        actor=township_cadre,
        household_id=household.pk,
        member_id=spouse.pk,
        title="村道保洁员",
        employer="水源村委会",
        monthly_pay=Decimal("500"),
        starts_on=months_ago(2),
        ends_on=months_ago(2) + datetime.timedelta(days=200),
    )
    page = client_for(village_worker).get(f"/households/{household.pk}/livelihood/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "近12个月务工3个月" in text and "村道保洁员" in text
    # No ID number, phone nor health detail of the household on the page.
    assert "13893005678" not in text and "高血压" not in text and "13893001234" not in text
    # A village worker records work but does not add posts.
    assert f"/households/{household.pk}/work/" in text
    assert f"/households/{household.pk}/posts/new/" not in text


def test_the_post_form_refuses_an_overlong_post(township_cadre, household, spouse):
    response = client_for(township_cadre).post(
        f"/households/{household.pk}/posts/new/",
        {
            "member": spouse.pk,
            "title": "护林员",
            "employer": "县林草局",
            "monthly_pay": "800",
            "starts_on": "2026-01-01",
            "ends_on": "2027-06-30",
        },
    )
    assert response.status_code == 400
    assert "一般聘期不超过一年" in response.content.decode()


def test_a_post_ending_is_a_task_until_renewed_or_closed(
    township_cadre, county_officer, village_worker, partner, household, spouse
):
    post = posts.post_create(
        actor=township_cadre,
        household_id=household.pk,
        member_id=spouse.pk,
        title="孤寡老人看护员",
        employer="水源村委会",
        monthly_pay=Decimal("600"),
        starts_on=TODAY - datetime.timedelta(days=300),
        ends_on=TODAY + datetime.timedelta(days=20),
    )
    [task] = tasks_for(township_cadre, kinds=["post_ending"])
    assert "公益岗位" in task.title and task.url == f"/livelihoods/posts/{post.pk}/"
    assert household.number in task.subject
    assert [t.kind for t in tasks_for(county_officer, kinds=["post_ending"])] == ["post_ending"]
    for nobody in (village_worker, partner):
        assert tasks_for(nobody, kinds=["post_ending"]) == []
    # Renewed for another year: gone.
    post = posts.post_change(
        actor=township_cadre,
        post=post,
        version=1,
        renewed=True,
        ends_on=TODAY + datetime.timedelta(days=300),
    )
    assert tasks_for(township_cadre, kinds=["post_ending"]) == []
    # Ending soon again, then closed on the task's page: gone.
    post = posts.post_change(
        actor=township_cadre, post=post, version=2, ends_on=TODAY + datetime.timedelta(days=5)
    )
    [task] = tasks_for(township_cadre, kinds=["post_ending"])
    response = client_for(township_cadre).post(
        task.url,
        {
            "ends_on": post.ends_on.isoformat(),
            "renewed": "on",
            "monthly_pay": "600",
            "confirm_end": "on",
            "version": 3,
        },
    )
    assert response.status_code == 302
    assert tasks_for(township_cadre, kinds=["post_ending"]) == []
    # A stale form (the version it was shown with is gone) changes nothing.
    stale = client_for(township_cadre).post(
        task.url,
        {"ends_on": TODAY.isoformat(), "monthly_pay": "1", "version": 3},
    )
    assert stale.status_code == 400
    post.refresh_from_db()
    assert post.monthly_pay == Decimal("600")


def test_continuing_page_lists_posts_by_their_end(
    township_cadre, other_township_cadre, household, head, spouse
):
    for member, title, days in ((head, "护林员", 200), (spouse, "保洁员", 50)):
        posts.post_create(
            actor=township_cadre,
            household_id=household.pk,
            member_id=member.pk,
            title=title,
            employer="水源村委会",
            monthly_pay=Decimal("500"),
            starts_on=TODAY - datetime.timedelta(days=30),
            ends_on=TODAY + datetime.timedelta(days=days),
        )
    text = client_for(township_cadre).get("/livelihoods/continuing/").content.decode()
    assert text.index("保洁员") < text.index("护林员")
    other = client_for(other_township_cadre).get("/livelihoods/continuing/").content.decode()
    assert "保洁员" not in other and household.number not in other


def test_a_member_left_not_recorded_is_skipped(village_worker, household, head, spouse):
    page = client_for(village_worker).get(f"/households/{household.pk}/work/").content.decode()
    # Nobody has a record yet: no row is filled in for the worker.
    assert "按上次登记预填" not in page
    response = client_for(village_worker).post(
        f"/households/{household.pk}/work/",
        {**_row(head, status="unable", version=0), **_row(spouse, status="", version=0)},
    )
    assert response.status_code == 302
    assert [(r.member_id, r.status, r.source) for r in WorkRecord.objects.all()] == [
        (head.pk, "unable", "form")
    ]


def test_partner_records_a_payment_of_its_own_link_on_its_page(
    township_cadre, partner, partner_org, cooperative, household
):
    from livelihoods.models import IndustryPayment
    from livelihoods.services import industry

    own = industry.support_create(
        actor=township_cadre,
        household_id=household.pk,
        kind="wages",
        partner_id=partner_org.pk,
        amount=Decimal("2400"),
        starts_on=months_ago(2),
    )
    other = industry.support_create(
        actor=township_cadre,
        household_id=household.pk,
        kind="purchase",
        partner_id=cooperative.pk,
        amount=Decimal("900"),
        starts_on=months_ago(2),
    )
    client = client_for(partner)
    page = client.get("/livelihoods/links/").content.decode()
    assert f"/livelihoods/industry/{own.pk}/payments/new/" in page
    assert f"/livelihoods/industry/{other.pk}/payments/new/" not in page
    response = client.post(
        f"/livelihoods/industry/{own.pk}/payments/new/",
        {"paid_on": TODAY.isoformat(), "amount": "1200"},
    )
    assert response.status_code == 302
    refused = client.post(
        f"/livelihoods/industry/{other.pk}/payments/new/",
        {"paid_on": TODAY.isoformat(), "amount": "900"},
    )
    assert refused.status_code == 404
    assert [p.support_id for p in IndustryPayment.objects.all()] == [own.pk]
    # Nor does the partner open the household's page.
    assert client.get(f"/households/{household.pk}/livelihood/").status_code == 403


def test_claim_decision_on_the_page_refuses_paying_more_than_claimed(township_cadre, household):
    from livelihoods.services import insurance

    claim, _ = insurance.claim_create(
        actor=township_cadre,
        household_id=household.pk,
        insurer="人保财险",
        cause="accident",
        claimed_on=months_ago(1),
        amount_claimed=Decimal("3000"),
    )
    url = f"/livelihoods/claims/{claim.pk}/decide/"
    client = client_for(township_cadre)
    body = {"status": "paid", "decided_on": TODAY.isoformat(), "amount_paid": "3500", "version": 1}
    response = client.post(url, body)
    assert response.status_code == 400 and "赔付金额不能超过报案金额" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "claimed"
    assert client.post(url, {**body, "amount_paid": "2500"}).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.amount_paid) == ("paid", Decimal("2500"))


def test_post_pay_on_the_page_only_inside_the_period(township_cadre, household, spouse):
    post = posts.post_create(
        actor=township_cadre,
        household_id=household.pk,
        member_id=spouse.pk,
        title="护林员",
        employer="县林草局",
        monthly_pay=Decimal("800"),
        starts_on=months_ago(2),
        ends_on=months_ago(2) + datetime.timedelta(days=300),
    )
    url = f"/livelihoods/posts/{post.pk}/payments/new/"
    client = client_for(township_cadre)
    outside = client.post(
        url,
        {"month": months_ago(4).strftime("%Y-%m"), "amount": "800", "paid_on": TODAY.isoformat()},
    )
    assert outside.status_code == 400 and "不在岗位聘期内" in outside.content.decode()
    inside = client.post(
        url,
        {"month": months_ago(1).strftime("%Y-%m"), "amount": "800", "paid_on": TODAY.isoformat()},
    )
    assert inside.status_code == 302
    assert [p.month for p in post.payments.all()] == [months_ago(1)]
