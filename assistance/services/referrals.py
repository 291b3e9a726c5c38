"""Referrals (转介): a measure given to a partner waits for the partner's answer.

The partner's users accept it or decline it with a reason within the policy's days
(ReferralPolicy); one not answered in time expires. A declined or expired referral goes back to
the cadres: the case's township cadres and the responsible cadre are told, and the case page
shows the measure as needing another partner. Naming another partner starts a new referral.
"""

import datetime

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import users_covering
from assistance.deadlines import work_calendar
from assistance.models import DayUnit, Measure, ReferralPolicy, ReferralStatus
from assistance.selectors import measures_visible_to, referral_limit
from core.errors import EditConflict, save_or_conflict
from monitoring.services.notifications import notify
from monitoring.services.policy import policy_region

MIN_REASON = 4  # a word or two of Chinese: "名额已满" says why


def referral_start(measure: Measure, *, at: datetime.datetime) -> None:
    """Mark a measure (not saved here) as referred to its partner now, or as no referral."""
    measure.responded_at = None
    measure.decline_reason = ""
    if measure.partner_id is None:
        measure.referral_status = ReferralStatus.NONE
        measure.referred_at = measure.referral_due = None
        return
    measure.referral_status = ReferralStatus.PENDING
    measure.referred_at = at
    measure.referral_due = referral_due_at(measure.case.household.village_id, at)


def referral_due_at(village_code: str, at: datetime.datetime) -> datetime.datetime:
    """When the answer to a referral made `at` falls due: the policy's limit counted from the
    referral's day as the law counts periods (core/workdays.py: in working days, or in calendar
    days moved off a holiday), at the time of day it was made. The expiry sweep and the task
    list read this one value."""
    local = timezone.localtime(at)
    last_day = referral_limit(village_code).due_on(local.date(), work_calendar())
    return timezone.make_aware(datetime.datetime.combine(last_day, local.time()))


def referral_accepted_on_creation(measure: Measure, *, at: datetime.datetime) -> None:
    """A measure made from a partner's own claim is a referral it has already accepted."""
    measure.referral_status = ReferralStatus.ACCEPTED
    measure.referred_at = measure.responded_at = at
    measure.referral_due = None


def _answerable(actor: User, measure: Measure, version: int | None) -> Measure:
    if actor.role != Role.PARTNER or not actor.has_perm("assistance.answer_referral"):
        raise PermissionDenied(_("Only the partner's own users answer its referrals."))
    locked = (
        measures_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("case__household", "partner")
        .filter(pk=measure.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This referral was made to another partner."))
    if version is not None and locked.version != version:
        raise EditConflict()
    if locked.referral_status != ReferralStatus.PENDING:
        raise ValidationError(
            _("This referral is answered already (%(status)s).")
            % {"status": locked.get_referral_status_display()},
            code="answered",
        )
    # Past its due time the referral is the expiry sweep's, whenever that runs next: an answer
    # then would decide by the sweep's timing whether the cadres are told to find another.
    if locked.referral_due is not None and locked.referral_due <= timezone.now():
        raise ValidationError(
            _(
                "The time to answer this referral ended on %(due)s; it goes back to the cadres, "
                "who may refer it to you again."
            )
            % {"due": timezone.localtime(locked.referral_due).strftime("%Y-%m-%d %H:%M")},
            code="expired",
        )
    return locked


def measure_accept(*, actor: User, measure: Measure, version: int | None = None) -> Measure:
    """The partner takes the measure on; it then records its delivery."""
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _answerable(actor, measure, version)
        locked.referral_status = ReferralStatus.ACCEPTED
        locked.responded_at = timezone.now()
        locked.version += 1
        locked.save()
        notify(
            [locked.responsible_id] if locked.responsible_id else [],
            key="referral_accepted",
            arguments={
                "partner": locked.partner.name if locked.partner else "",
                "title": locked.title,
            },
            link=reverse("case-detail", args=[locked.case_id]),
        )
    return locked


def measure_decline(
    *, actor: User, measure: Measure, reason: str, version: int | None = None
) -> Measure:
    """The partner cannot take the measure on, and says why; the cadres find another."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        locked = _answerable(actor, measure, version)
        locked.referral_status = ReferralStatus.DECLINED
        locked.responded_at = timezone.now()
        locked.decline_reason = reason
        locked.version += 1
        locked.save()
        _tell_the_cadres(locked)
    return locked


def _tell_the_cadres(measure: Measure) -> None:
    """The case's township cadres and the measure's responsible cadre: it needs another
    partner. No household detail beyond the measure's title travels in the text."""
    household = measure.case.household
    cadres = set(
        users_covering(household.village_id)
        .filter(is_active=True, role=Role.TOWNSHIP_CADRE)
        .values_list("pk", flat=True)
    )
    if measure.responsible_id:
        cadres.add(measure.responsible_id)
    declined = measure.referral_status == ReferralStatus.DECLINED
    notify(
        sorted(cadres),
        key="referral_declined" if declined else "referral_expired",
        arguments={
            "partner": measure.partner.name if measure.partner else "",
            "title": measure.title,
        },
        link=reverse("case-detail", args=[measure.case_id]),
        # A referral is returned once per referral (it restarts when the partner changes).
        dedupe_key=f"referral-returned:{measure.pk}:{measure.referred_at or ''}",
    )


def referral_expire_overdue(*, now: datetime.datetime | None = None) -> int:
    """Expire every referral not answered by its due time; returns how many. Run twice, or twice
    at once, it expires each once: only pending rows are taken, locked, skipping those another
    run holds."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic(), pghistory.context(task="referral_expire_overdue"):
        overdue = (
            Measure.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(referral_status=ReferralStatus.PENDING, referral_due__lt=now)
            .select_related("case__household", "partner")
            .order_by("id")
        )
        for measure in overdue:
            measure.referral_status = ReferralStatus.EXPIRED
            measure.responded_at = now
            measure.version += 1
            measure.save()
            _tell_the_cadres(measure)
            expired += 1
    return expired


# The longest a partner may be given to answer: past it a referral is no longer a referral.
MAX_REFERRAL_DAYS = 60


def referral_policy_save(
    *,
    actor: User,
    region_code: str | None,
    days: int,
    unit: str,
    version: int | None = None,
) -> ReferralPolicy:
    """Set how long a region's partners have to answer a referral, in working or calendar days
    (a county officer: their county; the national row: a system administrator). Referrals made
    before keep their due time; pghistory records the change with its actor."""
    if not actor.has_perm("assistance.change_referralpolicy"):
        raise PermissionDenied(_("Your role may not do this."))
    errors = {}
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_REFERRAL_DAYS:
        errors["days"] = _(
            "A partner is given 1 to %(max)d days to answer: give a whole number in that range."
        ) % {"max": MAX_REFERRAL_DAYS}
    if unit not in DayUnit.values:
        errors["unit"] = _("Choose working days or calendar days.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        region = policy_region(actor, region_code)
        policy = ReferralPolicy.objects.select_for_update().filter(region=region).first()
        if policy is None:
            if not actor.has_perm("assistance.add_referralpolicy"):
                raise PermissionDenied(_("Your role may not do this."))
            policy = ReferralPolicy(region=region)
        elif version is not None and policy.version != version:
            raise EditConflict()
        else:
            policy.version += 1
        policy.days, policy.unit = days, unit
        save_or_conflict(policy)
    return policy
