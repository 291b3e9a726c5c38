import datetime

import pytest
from django.core.exceptions import ValidationError

from assistance.models import CaseStatus, PartnerOffer
from assistance.selectors import offers_visible_to, partners_visible_to
from assistance.services.measures import MeasurePlan, measure_create, measure_update
from assistance.services.partners import OfferData, offer_create
from tests.conftest import OTHER_TOWNSHIP

pytestmark = pytest.mark.django_db


def test_a_village_worker_sees_the_partners_of_their_township_and_county(
    village_worker, township_partner, other_partner, township_cadre
):
    offer_create(
        actor=township_cadre,
        partner_id=township_partner.pk,
        data=OfferData(
            kind="services",
            measure_kind="social_help",
            title="独居老人结对帮扶",
            available_from=datetime.date(2026, 3, 1),
        ),
    )
    assert set(partners_visible_to(village_worker)) == {township_partner, other_partner}
    assert offers_visible_to(village_worker).count() == 1


def test_a_cadre_posts_offers_only_within_their_own_region(township_cadre, other_partner):
    with pytest.raises(ValidationError) as error:
        offer_create(
            actor=township_cadre,
            partner_id=other_partner.pk,
            data=OfferData(
                kind="goods",
                measure_kind="social_help",
                title="冬季棉被",
                available_from=datetime.date(2026, 3, 1),
                area_code=OTHER_TOWNSHIP,
            ),
        )
    assert "area" in error.value.message_dict
    assert not PartnerOffer.objects.exists()


def test_a_closed_case_keeps_its_measures_unless_they_continue(case, township_cadre):
    def plan(**extra):
        return MeasurePlan(
            kind="micro_credit",
            title="小额信贷5万元",
            responsible_id=township_cadre.pk,
            planned_start=case.proposed_on,
            **extra,
        )

    ended = measure_create(actor=township_cadre, case=case, plan=plan())
    loan = measure_create(actor=township_cadre, case=case, plan=plan(continues_after_case=True))
    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.ELIMINATED)
    with pytest.raises(ValidationError):
        measure_update(actor=township_cadre, measure=ended, version=ended.version, plan=plan())
    later = plan(continues_after_case=True, planned_end=case.proposed_on.replace(year=2029))
    updated = measure_update(actor=township_cadre, measure=loan, version=loan.version, plan=later)
    assert updated.planned_end.year == 2029


def _county_offer(county_officer, partner_org):
    return offer_create(
        actor=county_officer,
        partner_id=partner_org.pk,
        data=OfferData(
            kind="jobs",
            measure_kind="employment",
            title="枸杞基地季节工",
            available_from=datetime.date(2026, 3, 1),
        ),
    )


def test_a_township_cadre_cannot_change_an_offer_made_for_the_whole_county(
    county_officer, township_cadre, partner_org
):
    from django.core.exceptions import PermissionDenied

    from assistance.services.partners import offer_update

    offer = _county_offer(county_officer, partner_org)
    with pytest.raises(PermissionDenied):
        offer_update(
            actor=township_cadre,
            offer=offer,
            version=offer.version,
            data=OfferData(
                kind="jobs",
                measure_kind="employment",
                title="改到本镇",
                available_from=datetime.date(2026, 3, 1),
                area_code="620423100000",
            ),
        )
    offer.refresh_from_db()
    assert offer.title == "枸杞基地季节工" and offer.area_id == "620423000000"


def test_a_measure_from_an_offer_belongs_to_the_offering_partner(
    case, county_officer, township_cadre, partner_org
):
    offer = _county_offer(county_officer, partner_org)
    measure = measure_create(
        actor=township_cadre,
        case=case,
        plan=MeasurePlan(
            kind="employment",
            title="枸杞基地季节工",
            responsible_id=township_cadre.pk,
            planned_start=case.proposed_on,
            offer_id=offer.pk,
        ),
    )
    assert measure.partner == partner_org


def test_an_offer_that_does_not_cover_the_household_is_refused(
    case, other_township_cadre, township_cadre, partner_org
):
    far = offer_create(
        actor=other_township_cadre,
        partner_id=partner_org.pk,
        data=OfferData(
            kind="jobs",
            measure_kind="employment",
            title="芦阳镇育苗工",
            available_from=datetime.date(2026, 3, 1),
            area_code=OTHER_TOWNSHIP,
        ),
    )
    with pytest.raises(ValidationError) as error:
        measure_create(
            actor=township_cadre,
            case=case,
            plan=MeasurePlan(
                kind="employment",
                title="芦阳镇育苗工",
                responsible_id=township_cadre.pk,
                planned_start=case.proposed_on,
                offer_id=far.pk,
            ),
        )
    assert "offer" in error.value.message_dict


def test_an_offer_gives_no_more_places_than_it_has(
    case, county_officer, township_cadre, partner_org
):
    from assistance.selectors import offers_matching

    offer = offer_create(
        actor=county_officer,
        partner_id=partner_org.pk,
        data=OfferData(
            kind="jobs",
            measure_kind="employment",
            title="仓库管理员",
            available_from=datetime.date(2026, 3, 1),
            quantity=1,
        ),
    )
    plan = MeasurePlan(
        kind="employment",
        title="仓库管理员",
        responsible_id=township_cadre.pk,
        planned_start=case.proposed_on,
        offer_id=offer.pk,
    )
    assert offers_matching(case, as_of=case.proposed_on, offer_kinds={"jobs"}).count() == 1
    measure_create(actor=township_cadre, case=case, plan=plan)
    assert offers_matching(case, as_of=case.proposed_on, offer_kinds={"jobs"}).count() == 0
    with pytest.raises(ValidationError) as error:
        measure_create(actor=township_cadre, case=case, plan=plan)
    assert "offer" in error.value.message_dict


def test_a_partners_mobile_typed_now_has_eleven_digits_one_stored_before_holds_nothing_up(
    county_officer, other_partner
):
    from assistance.services.partners import PartnerData, partner_update

    def data(phone: str) -> PartnerData:
        return PartnerData(
            name=other_partner.name,
            kind=other_partner.kind,
            department=other_partner.department,
            area_code=other_partner.area_id,
            contact_name="王科长",
            contact_phone=phone,
        )

    with pytest.raises(ValidationError, match="11"):
        partner_update(actor=county_officer, partner=other_partner, version=1, data=data("1381234"))
    type(other_partner).objects.filter(pk=other_partner.pk).update(contact_phone="1381234")
    other_partner.refresh_from_db()
    kept = partner_update(
        actor=county_officer,
        partner=other_partner,
        version=other_partner.version,
        data=data("1381234"),
    )
    assert kept.contact_phone == "1381234"
