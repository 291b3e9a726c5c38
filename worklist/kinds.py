"""The kinds of task, one small definition each: what waits, for whom, why and where it is done.

A task is never stored. Each kind reads the records that wait for someone (a household whose
visit is due, a warning nobody took, a case step for a role) through the selectors that already
scope them to the user's region, and shapes them into the same few columns (`COLUMNS`), so that
worklist.selectors can put every kind into one UNION ALL, sorted by due date, in one query.

To add a kind: write its `rows` (a scoped queryset passed through `shaped`), its texts and its
link, and append it to `KINDS`. Nothing else changes: the API's `kind` filter, the counts, the
pages and their chips read this list.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    DateField,
    Exists,
    Expression,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from assistance.eligibility import MIN_MONTHS_ENROLLED, months_before
from assistance.models import CaseStatus, Measure, MeasureStatus, StepKind
from assistance.selectors import (
    cases_visible_to,
    measures_to_deliver,
    measures_visible_to,
    mentions_waiting,
    needs_claimed,
    referrals_returned,
    referrals_to_answer,
    steps_awaiting,
)
from development.models import PlanReview
from development.selectors.plans import plans_review_due
from households.models import Household, RiskLevel
from households.selectors import households_visible_to
from livelihoods.models.credit import LoanInstalment
from livelihoods.selectors import credit as credit_selectors
from livelihoods.selectors.posts import posts_ending
from monitoring.models import AlertStatus, AreaEventStatus, ScreeningStatus, Signal, SignalKind
from monitoring.selectors import (
    alerts_visible_to,
    screening_tasks_visible_to,
    signals_visible_to,
)
from pairings.models import Contact
from pairings.selectors import contact_every_days_of, pairings_visible_to
from self_reports.models import HardshipType
from self_reports.selectors import self_reports_awaiting

# The columns every kind's rows are shaped into, in the order the UNION lists them.
COLUMNS = ("t_kind", "t_ref", "t_household", "t_number", "t_head", "t_detail", "t_since", "t_due")
# A kind's rows in due order are its rows in (t_walk, t_ref) order: t_walk is t_due, or a column
# whose order is the due date's (the day a warning opened, due some days after it) and which an
# index holds, so that a page walks that index instead of sorting every waiting row. Never
# listed by the UNION: each kind's page is cut by it (worklist.selectors.tasks_for).
WALK = "t_walk"

# How soon a visit shows before it is due.
VISIT_NOTICE_DAYS = 7
# How soon a measure's planned end shows before it comes.
MEASURE_NOTICE_DAYS = 30
# The working targets of the warning queue, in days from the warning's opening: the policy asks
# that a risk found be identified within 15 days (assistance/steps.py counts the case's own), so
# the warning must be taken, checked at home and confirmed well before that.
ALERT_ASSIGN_DAYS = 2
ALERT_VERIFY_DAYS = 7
ALERT_CONFIRM_DAYS = 10
# A department's signal that found nobody is looked at within three days.
SIGNAL_REVIEW_DAYS = 3


@dataclass(frozen=True)
class Task:
    """One row of someone's task list, as the pages and the API show it."""

    kind: str
    kind_label: str
    title: str  # what to do
    subject: str  # for whom: household number and head, or the area
    why: str
    due_on: datetime.date
    overdue: bool
    days_overdue: int
    url: str
    can_be_late: bool = True  # False: due_on is the day from which it may be done


@dataclass(frozen=True)
class TaskKind:
    code: str
    label: Promise
    roles: frozenset[str]  # the roles this kind is for; the permissions narrow it further
    permissions: tuple[str, ...]  # every one of them needed
    # The waiting records of the user's region, shaped by `shaped` (without t_kind).
    rows: Callable[..., QuerySet]
    region_path: str  # the region code path of the rows, for the region filter
    title: Callable[[dict], str]
    why: Callable[[dict], str]
    url: Callable[[dict], str]
    # False for what may be done from a day on but is never late (applying for elimination).
    can_be_late: bool = True
    # True: `rows` takes `delegated`, the user's delegations in force as (permission, region)
    # pairs, which the task list reads once for every kind.
    reads_delegations: bool = False

    def is_for(self, user) -> bool:
        return (
            user.is_authenticated
            and user.role in self.roles
            and all(user.has_perm(permission) for permission in self.permissions)
        )


def _date(expression: Expression | F) -> Cast:
    return Cast(expression, DateField())


def days_after(expression: Expression | F, days: int | Expression) -> Func:
    """A date column plus whole days, as a date (PostgreSQL's date + integer)."""
    days = days if isinstance(days, Expression) else Value(days)
    return Func(
        expression, days, template="(%(expressions)s)", arg_joiner=" + ", output_field=DateField()
    )


def shaped(
    queryset: QuerySet,
    *,
    ref: str = "pk",
    household: str | None,
    number: Expression | F | Value | Subquery,
    head: Expression | F | Value | Subquery,
    detail: Expression | F | Value,
    since: Expression | F,
    due: Expression | F,
    walk: Expression | F | None = None,
) -> QuerySet:
    """The queryset's rows in the common columns (every kind in the same types, for the UNION),
    and WALK: `walk`, a day that `due` is always the same number of days after, else `due`."""
    return queryset.order_by().annotate(
        t_ref=Cast(F(ref), BigIntegerField()),
        t_household=Cast(F(household) if household else Value(None), BigIntegerField()),
        t_number=Cast(number, TextField()),
        t_head=Cast(head, TextField()),
        t_detail=Cast(detail, TextField()),
        t_since=_date(since),
        t_due=_date(due),
        **{WALK: _date(due if walk is None else walk)},
    )


def _on_household(queryset: QuerySet, prefix: str, **columns) -> QuerySet:
    """`shaped` for rows that hang from a household at `prefix` (e.g. "household__").

    The household's number and head are read by a subquery each rather than a join: a count
    never reads them, and a page reads them for the rows it keeps only (PostgreSQL evaluates
    them after its sort and limit), instead of joining the household of every waiting row of a
    county before keeping fifty. The household's index holds both (household_id_village)."""
    if not prefix:
        return shaped(queryset, household="pk", number=F("number"), head=F("head_name"), **columns)
    of_row = Household.objects.filter(pk=OuterRef(f"{prefix}id")).order_by()
    return shaped(
        queryset,
        household=f"{prefix}id",
        number=Subquery(of_row.values("number")[:1]),
        head=Subquery(of_row.values("head_name")[:1]),
        **columns,
    )


def _day(value) -> str:
    """A day as the page writes days (the locale's DATE_FORMAT), a moment by its local day."""
    if not value:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return date_format(value, "DATE_FORMAT")


# Visits ----------------------------------------------------------------------------------------


def _visits_due(user, today: datetime.date) -> QuerySet:
    # next_visit_due is the engine's one definition, written by every evaluation.
    households = households_visible_to(user).filter(
        next_visit_due__lte=today + datetime.timedelta(days=VISIT_NOTICE_DAYS)
    )
    return _on_household(
        households,
        "",
        detail=F("poverty_status"),
        since=F("last_visit_on"),
        due=F("next_visit_due"),
    )


VISIT_DUE = TaskKind(
    code="visit_due",
    label=gettext_lazy("Visits due"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE}),
    permissions=("monitoring.add_visit",),
    rows=_visits_due,
    region_path="village__code",
    title=lambda row: _("Visit the household"),
    why=lambda row: (
        _("Last visited on %(day)s") % {"day": _day(row["t_since"])}
        if row["t_since"]
        else _("Never visited")
    ),
    url=lambda row: f"{reverse('visit-create')}?household={row['t_ref']}",
)


# Warnings --------------------------------------------------------------------------------------


def _alerts(queryset: QuerySet, days: int) -> QuerySet:
    opened = TruncDate("opened_at")
    # Walked by the day opened: the township's open warnings in the order of the index
    # alert_open_by_day, not sorted whole (15,578 of them at a million households: 13 ms).
    return _on_household(
        queryset,
        "household__",
        detail=F("level"),
        since=opened,
        due=days_after(opened, days),
        walk=opened,
    )


def _alerts_to_assign(user, today: datetime.date) -> QuerySet:
    return _alerts(alerts_visible_to(user).filter(status=AlertStatus.OPEN), ALERT_ASSIGN_DAYS)


def _alerts_to_verify(user, today: datetime.date) -> QuerySet:
    mine = alerts_visible_to(user).filter(status=AlertStatus.ASSIGNED, assignee=user)
    return _alerts(mine, ALERT_VERIFY_DAYS)


def _alerts_to_confirm(user, today: datetime.date) -> QuerySet:
    return _alerts(alerts_visible_to(user).filter(status=AlertStatus.VERIFYING), ALERT_CONFIRM_DAYS)


def _alert_why(row: dict) -> str:
    level = dict(RiskLevel.choices).get(row["t_detail"], row["t_detail"])
    return _("%(level)s risk warning opened on %(day)s") % {
        "level": level,
        "day": _day(row["t_since"]),
    }


def _alert_url(row: dict) -> str:
    return reverse("alert-detail", args=[row["t_ref"]])


ALERT_ASSIGN = TaskKind(
    code="alert_assign",
    label=gettext_lazy("Warnings to assign"),
    roles=frozenset({Role.TOWNSHIP_CADRE}),
    permissions=("monitoring.change_alert",),
    rows=_alerts_to_assign,
    region_path="village__code",
    title=lambda row: _("Assign the warning to a colleague"),
    why=_alert_why,
    url=_alert_url,
)
ALERT_VERIFY = TaskKind(
    code="alert_verify",
    label=gettext_lazy("Warnings to verify"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("monitoring.view_alert",),
    rows=_alerts_to_verify,
    region_path="village__code",
    title=lambda row: _("Verify the warning at home"),
    why=_alert_why,
    url=_alert_url,
)
ALERT_CONFIRM = TaskKind(
    code="alert_confirm",
    label=gettext_lazy("Warnings to confirm"),
    roles=frozenset({Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("monitoring.change_alert",),
    rows=_alerts_to_confirm,
    region_path="village__code",
    title=lambda row: _("Confirm or dismiss the verified warning"),
    why=_alert_why,
    url=_alert_url,
)


# Case steps ------------------------------------------------------------------------------------


def _steps_waiting(user, today: datetime.date, *, delegated=None) -> QuerySet:
    # Each open case's first undecided step, when the user's role takes it (steps_awaiting,
    # the steps of cases_awaiting); the task is the case's.
    return _on_household(
        steps_awaiting(user, as_of=today, delegated=delegated),
        "case__household__",
        ref="case_id",
        detail=F("kind"),
        since=F("case__proposed_on"),
        due=F("due_on"),
    )


CASE_STEP = TaskKind(
    code="case_step",
    label=gettext_lazy("Case steps"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("assistance.view_case",),
    rows=_steps_waiting,
    reads_delegations=True,
    region_path="case__village__code",
    title=lambda row: (
        _("Record the step: %(step)s")
        % {"step": dict(StepKind.choices).get(row["t_detail"], row["t_detail"])}
    ),
    why=lambda row: _("Case proposed on %(day)s") % {"day": _day(row["t_since"])},
    url=lambda row: reverse("case-detail", args=[row["t_ref"]]),
)


# Department signals ----------------------------------------------------------------------------


def _signals_to_review(user, today: datetime.date) -> QuerySet:
    unmatched = signals_visible_to(user).filter(status=Signal.Status.UNMATCHED)
    received = TruncDate("received_at")
    return shaped(
        unmatched,
        household=None,
        # The area, or the masked ID number of the person nobody matched.
        number=F("region__name"),
        head=F("id_number_masked"),
        detail=F("kind"),
        since=received,
        due=days_after(received, SIGNAL_REVIEW_DAYS),
    )


SIGNAL_REVIEW = TaskKind(
    code="signal_review",
    label=gettext_lazy("Signals to review"),
    roles=frozenset({Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("monitoring.change_signal",),
    rows=_signals_to_review,
    region_path="region__code",
    title=lambda row: _("Review a department signal that matched no household"),
    why=lambda row: (
        _("%(kind)s, received on %(day)s")
        % {
            "kind": dict(SignalKind.choices).get(row["t_detail"], row["t_detail"]),
            "day": _day(row["t_since"]),
        }
    ),
    url=lambda row: f"{reverse('signal-list')}?status=unmatched",
)


# Area events (规模性返贫 screening) ---------------------------------------------------------------

# A household of an area event is screened within a week of the event's opening.
SCREENING_DAYS = 7


def _screenings_due(user, today: datetime.date) -> QuerySet:
    pending = screening_tasks_visible_to(user).filter(
        status=ScreeningStatus.PENDING, event__status=AreaEventStatus.ACTIVE
    )
    opened = TruncDate("event__opened_at")
    return _on_household(
        pending,
        "household__",
        ref="event_id",
        detail=F("event__kind"),
        since=opened,
        due=days_after(opened, SCREENING_DAYS),
    )


SCREENING_DUE = TaskKind(
    code="area_screening",
    label=gettext_lazy("Households to screen for an area event"),
    roles=frozenset({Role.VILLAGE_WORKER}),
    permissions=("monitoring.change_screeningtask",),
    rows=_screenings_due,
    region_path="household__village__code",
    title=lambda row: _("Screen the household for the area event"),
    why=lambda row: (
        _("%(kind)s, opened on %(day)s")
        % {
            "kind": dict(SignalKind.choices).get(row["t_detail"], row["t_detail"]),
            "day": _day(row["t_since"]),
        }
    ),
    url=lambda row: f"{reverse('area-event-detail', args=[row['t_ref']])}?status=pending",
)


# Risk elimination ------------------------------------------------------------------------------


def _elimination_possible(user, today: datetime.date) -> QuerySet:
    # The cheap items of assistance.eligibility.judge: enrolled six months (its own month
    # arithmetic) and a measure delivered. The income and guarantee items need each household's
    # visits and facts: the elimination page checks them, item by item.
    delivered = Measure.objects.filter(case=OuterRef("pk"), status=MeasureStatus.DELIVERED)
    cases = (
        cases_visible_to(user)
        .filter(
            status=CaseStatus.ENROLLED,
            elimination_round=0,
            enrolled_on__lte=months_before(today, MIN_MONTHS_ENROLLED),
        )
        .filter(Exists(delivered))
    )
    return _on_household(
        cases,
        "household__",
        detail=Value(""),
        since=F("enrolled_on"),
        # PostgreSQL's month arithmetic ends on the month's last day when the day is missing,
        # as eligibility.months_after does.
        due=Func(
            F("enrolled_on"),
            template=f"(%(expressions)s + interval '{MIN_MONTHS_ENROLLED} months')",
        ),
    )


ELIMINATION_CHECK = TaskKind(
    code="elimination_check",
    label=gettext_lazy("Risk elimination possible"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE}),
    permissions=("assistance.propose_case",),
    rows=_elimination_possible,
    region_path="village__code",
    title=lambda row: _("May apply for the risk elimination check"),
    why=lambda row: (
        _("Enrolled on %(day)s, six months ago or more, with a measure delivered")
        % {"day": _day(row["t_since"])}
    ),
    # The case page's elimination check, opened (its form is posted from there).
    url=lambda row: f"{reverse('case-detail', args=[row['t_ref']])}#eligibility",
    can_be_late=False,
)


# Measures --------------------------------------------------------------------------------------


def _measures_ending(user, today: datetime.date) -> QuerySet:
    measures = measures_visible_to(user).filter(
        responsible=user,
        status__in=(MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS),
        planned_end__lte=today + datetime.timedelta(days=MEASURE_NOTICE_DAYS),
    )
    return _on_household(
        measures,
        "case__household__",
        detail=F("title"),
        since=F("planned_start"),
        due=F("planned_end"),
    )


MEASURE_ENDING = TaskKind(
    code="measure_ending",
    label=gettext_lazy("Measures ending"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("assistance.view_measure",),
    rows=_measures_ending,
    region_path="case__village__code",
    title=lambda row: _("Record the result of the measure: %(title)s") % {"title": row["t_detail"]},
    why=lambda row: (
        _("You are its responsible cadre; it started on %(day)s") % {"day": _day(row["t_since"])}
    ),
    url=lambda row: reverse("measure-detail", args=[row["t_ref"]]),
)


# Public-welfare posts ending (livelihoods/) ------------------------------------------------------

# How soon a post's end shows before it comes: time to renew it or tell the household.
POST_NOTICE_DAYS = 30


def _posts_ending(user, today: datetime.date) -> QuerySet:
    posts = posts_ending(user, as_of=today, within_days=POST_NOTICE_DAYS)
    return _on_household(
        posts, "household__", detail=F("title"), since=F("starts_on"), due=F("ends_on")
    )


POST_ENDING = TaskKind(
    code="post_ending",
    label=gettext_lazy("Public-welfare posts ending"),
    roles=frozenset({Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("livelihoods.change_welfarepost",),
    rows=_posts_ending,
    region_path="household__village__code",
    # The post's name is the page's: data, never among the list's own words.
    title=lambda row: _("Renew or close a public-welfare post"),
    why=lambda row: _("The post started on %(day)s") % {"day": _day(row["t_since"])},
    url=lambda row: reverse("welfare-post-edit", args=[row["t_ref"]]),
)


# Mentions in a case's conversation -----------------------------------------------------------

# A note that asks someone something is answered within this many days.
MENTION_ANSWER_DAYS = 3


def _display_name(prefix: str) -> Func:
    """User.display_name in SQL: the full name (get_full_name), else the username."""
    full = Trim(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name")))
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}username"))


def _mentions(user, today: datetime.date) -> QuerySet:
    # One task a case: its earliest note that mentions the user and is not answered yet. Read
    # from the user's waiting mentions (an index on the unanswered ones of a user), a handful,
    # rather than from every case of a county with a subquery each.
    waiting = mentions_waiting(user)
    earlier = waiting.filter(comment__case=OuterRef("comment__case")).filter(
        Q(comment__created_at__lt=OuterRef("comment__created_at"))
        | Q(comment__created_at=OuterRef("comment__created_at"), pk__lt=OuterRef("pk"))
    )
    mentioned_at = TruncDate("comment__created_at")
    return _on_household(
        waiting.exclude(Exists(earlier)),
        "comment__case__household__",
        ref="comment__case_id",
        detail=_display_name("comment__author__"),  # the name people read
        since=mentioned_at,
        due=days_after(mentioned_at, MENTION_ANSWER_DAYS),
    )


MENTION = TaskKind(
    code="mention",
    label=gettext_lazy("Mentions"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("assistance.view_case",),
    rows=_mentions,
    region_path="comment__case__village__code",
    title=lambda row: _("Answer %(author)s in the case's notes") % {"author": row["t_detail"]},
    why=lambda row: _("You were mentioned on %(day)s") % {"day": _day(row["t_since"])},
    url=lambda row: reverse("case-detail", args=[row["t_ref"]]),
)


# Paired cadres -----------------------------------------------------------------------------------


def _contacts_due(user, today: datetime.date) -> QuerySet:
    # The frequency of the cadre's own region: a cadre's households lie in it, and a county
    # rarely sets one village apart (pairings.selectors.households_of_cadre reads each village's).
    # A subquery, not an aggregate: the counts put each kind's due date in a FILTER clause.
    latest_contact = (
        Contact.objects.filter(pairing=OuterRef("pk"))
        .order_by("-contacted_on")
        .values("contacted_on")[:1]
    )
    pairings = (
        pairings_visible_to(user)
        .filter(cadre=user, ended_on__isnull=True)
        .annotate(since=Coalesce(Subquery(latest_contact), F("started_on")))
        .annotate(due=days_after(F("since"), contact_every_days_of(user.region_id)))
        .filter(due__lte=today + datetime.timedelta(days=VISIT_NOTICE_DAYS))
    )
    return _on_household(pairings, "household__", detail=Value(""), since=F("since"), due=F("due"))


CONTACT_DUE = TaskKind(
    code="contact_due",
    label=gettext_lazy("Contacts due"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("pairings.add_contact",),
    rows=_contacts_due,
    region_path="household__village__code",
    title=lambda row: _("Get in touch with your paired household"),
    why=lambda row: _("Last contact or pairing on %(day)s") % {"day": _day(row["t_since"])},
    url=lambda row: reverse("contact-create", args=[row["t_household"]]),
)


# Partners and their referrals -----------------------------------------------------------------


def _on_village(queryset: QuerySet, **columns) -> QuerySet:
    """`shaped` for a partner's rows: the village, never the household (a partner's users learn
    no more of a household than the measure given to them needs, as their pages show)."""
    return shaped(
        queryset,
        household=None,
        number=F("case__household__village__name"),
        head=Value(""),
        **columns,
    )


def _referrals_to_answer(user, today: datetime.date) -> QuerySet:
    return _on_village(
        referrals_to_answer(user),
        detail=F("title"),
        # The local day (the answer is due on the last day of the referral policy's limit, in
        # Shanghai's time, which is what the expiry sweep compares with).
        since=TruncDate("referred_at"),
        due=TruncDate("referral_due"),
    )


REFERRAL_ANSWER = TaskKind(
    code="referral_answer",
    label=gettext_lazy("Referrals to answer"),
    roles=frozenset({Role.PARTNER}),
    permissions=("assistance.answer_referral",),
    rows=_referrals_to_answer,
    region_path="case__village__code",
    title=lambda row: _("Accept or decline the referral: %(title)s") % {"title": row["t_detail"]},
    why=lambda row: _("Referred to your organisation on %(day)s") % {"day": _day(row["t_since"])},
    url=lambda row: reverse("measure-detail", args=[row["t_ref"]]),
)


def _deliveries_to_record(user, today: datetime.date) -> QuerySet:
    # A partner's only (the kind's roles): measures_to_deliver reads any role's measures.
    return _on_village(
        measures_to_deliver(user),
        detail=F("title"),
        since=F("planned_start"),
        due=Coalesce(F("planned_end"), F("planned_start")),
    )


DELIVERY_DUE = TaskKind(
    code="delivery_due",
    label=gettext_lazy("Deliveries to record"),
    roles=frozenset({Role.PARTNER}),
    permissions=("assistance.record_delivery",),
    rows=_deliveries_to_record,
    region_path="case__village__code",
    title=lambda row: _("Deliver and record: %(title)s") % {"title": row["t_detail"]},
    why=lambda row: _("Planned from %(day)s") % {"day": _day(row["t_since"])},
    url=lambda row: reverse("measure-detail", args=[row["t_ref"]]),
)


def _referrals_returned(user, today: datetime.date) -> QuerySet:
    # Back to the measure's responsible cadre; one without is the township's to place.
    mine = Q(responsible=user)
    if user.role == Role.TOWNSHIP_CADRE:
        mine |= Q(responsible__isnull=True)
    return _on_household(
        referrals_returned(user).filter(mine),
        "case__household__",
        detail=F("title"),
        since=Coalesce(F("responded_at"), F("referral_due")),
        due=Coalesce(F("responded_at"), F("referral_due")),
    )


REFERRAL_RETURNED = TaskKind(
    code="referral_returned",
    label=gettext_lazy("Referrals returned"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("assistance.change_measure",),
    rows=_referrals_returned,
    region_path="case__village__code",
    title=lambda row: _("Find another partner for: %(title)s") % {"title": row["t_detail"]},
    why=lambda row: (
        _("Declined or not answered in time, on %(day)s") % {"day": _day(row["t_since"])}
    ),
    url=lambda row: reverse("measure-detail", args=[row["t_ref"]]),
)


# A partner's claim of a need waits for the cadre who can make it a measure: answered within a
# few days, so that the partner can plan (the claim is its offer to help).
CLAIM_CONFIRM_DAYS = 3


def _claims_to_confirm(user, today: datetime.date) -> QuerySet:
    claimed_on = TruncDate("claimed_at")
    return _on_household(
        needs_claimed(user),
        "case__household__",
        ref="case_id",
        detail=F("claimed_by__name"),
        since=claimed_on,
        due=days_after(claimed_on, CLAIM_CONFIRM_DAYS),
    )


CLAIM_CONFIRM = TaskKind(
    code="claim_confirm",
    label=gettext_lazy("Claims to confirm"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE, Role.COUNTY_OFFICER}),
    permissions=("assistance.change_need", "assistance.add_measure"),
    rows=_claims_to_confirm,
    region_path="case__household__village__code",
    title=lambda row: _("Confirm %(partner)s's claim of a need") % {"partner": row["t_detail"]},
    why=lambda row: _("Claimed on %(day)s") % {"day": _day(row["t_since"])},
    url=lambda row: reverse("case-detail", args=[row["t_ref"]]),
)


# A household's own report (self_reports/) waits to be accepted by the day its county's deadline
# profile gives (working days from its arrival, kept on the report).


def _self_reports_to_accept(user, today: datetime.date) -> QuerySet:
    return shaped(
        self_reports_awaiting(user),
        # The person who reported, registered or not: by name (the masked ID number beside it).
        household=None,
        number=F("name"),
        head=F("id_number_masked"),
        detail=F("hardship"),
        since=TruncDate("received_at"),
        due=F("acceptance_due"),
    )


SELF_REPORT_ACCEPT = TaskKind(
    code="self_report_accept",
    label=gettext_lazy("Own reports to accept"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE}),
    permissions=("self_reports.change_selfreport",),
    rows=_self_reports_to_accept,
    region_path="village__code",
    title=lambda row: _("Accept a household's own report"),
    why=lambda row: (
        _("%(hardship)s, reported on %(day)s")
        % {
            "hardship": dict(HardshipType.choices).get(row["t_detail"], row["t_detail"]),
            "day": _day(row["t_since"]),
        }
    ),
    url=lambda row: reverse("own-report-detail", args=[row["t_ref"]]),
)


# Micro-credit (livelihoods/) ------------------------------------------------------------------


def _loans_maturing(user, today: datetime.date) -> QuerySet:
    return _on_household(
        credit_selectors.loans_maturing(credit_selectors.loans_visible_to(user), today),
        "household__",
        detail=F("lender"),
        since=F("disbursed_on"),
        due=F("matures_on"),
    )


LOAN_MATURING = TaskKind(
    code="loan_maturing",
    label=gettext_lazy("Loans maturing"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE}),
    permissions=("livelihoods.view_microloan",),
    rows=_loans_maturing,
    region_path="household__village__code",
    title=lambda row: (
        _("Make sure the loan from %(lender)s is repaid or extended") % {"lender": row["t_detail"]}
    ),
    why=lambda row: (
        _("A micro-credit loan disbursed on %(day)s matures") % {"day": _day(row["t_since"])}
    ),
    url=lambda row: reverse("loan-page", args=[row["t_ref"]]),
)


def _instalments_overdue(user, today: datetime.date) -> QuerySet:
    loans = credit_selectors.overdue_loans(credit_selectors.loans_visible_to(user), today)
    oldest = (
        LoanInstalment.objects.filter(loan=OuterRef("pk"), settled_on__isnull=True, cancelled=False)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return _on_household(
        loans.annotate(oldest_unpaid=Subquery(oldest)),
        "household__",
        detail=F("lender"),
        since=F("disbursed_on"),
        due=F("oldest_unpaid"),
    )


INSTALMENT_OVERDUE = TaskKind(
    code="instalment_overdue",
    label=gettext_lazy("Loan instalments overdue"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE}),
    permissions=("livelihoods.view_microloan",),
    rows=_instalments_overdue,
    region_path="household__village__code",
    title=lambda row: (
        _("Find out why the instalment to %(lender)s is unpaid") % {"lender": row["t_detail"]}
    ),
    why=lambda row: _("An instalment of a micro-credit loan is unpaid since its due date"),
    url=lambda row: reverse("loan-page", args=[row["t_ref"]]),
)


# Household development plans -------------------------------------------------------------------

# How soon a plan's quarterly review shows before it is due.
PLAN_REVIEW_NOTICE_DAYS = 14


def _plan_reviews_due(user, today: datetime.date) -> QuerySet:
    # The household's responsible cadre reviews it; a village worker sees the village's plans.
    last_review = (
        PlanReview.objects.filter(plan=OuterRef("pk"))
        .order_by("-reviewed_on")
        .values("reviewed_on")[:1]
    )
    plans = plans_review_due(user, today + datetime.timedelta(days=PLAN_REVIEW_NOTICE_DAYS))
    if user.role != Role.VILLAGE_WORKER:
        plans = plans.filter(
            household__pairings__cadre=user, household__pairings__ended_on__isnull=True
        )
    return _on_household(
        plans,
        "household__",
        detail=Value(""),
        since=Coalesce(Subquery(last_review), F("agreed_on")),
        due=F("next_review_due"),
    )


PLAN_REVIEW_DUE = TaskKind(
    code="plan_review_due",
    label=gettext_lazy("Plan reviews due"),
    roles=frozenset({Role.VILLAGE_WORKER, Role.TOWNSHIP_CADRE}),
    permissions=("development.add_planreview",),
    rows=_plan_reviews_due,
    region_path="household__village__code",
    title=lambda row: _("Review the household's development plan on a visit"),
    why=lambda row: (
        _("Last reviewed or agreed on %(day)s; reviewed every three months")
        % {"day": _day(row["t_since"])}
    ),
    url=lambda row: reverse("plan-review", args=[row["t_ref"]]),
)

KINDS: tuple[TaskKind, ...] = (
    VISIT_DUE,
    ALERT_ASSIGN,
    ALERT_VERIFY,
    ALERT_CONFIRM,
    CASE_STEP,
    SIGNAL_REVIEW,
    SCREENING_DUE,
    ELIMINATION_CHECK,
    MEASURE_ENDING,
    CONTACT_DUE,
    REFERRAL_ANSWER,
    DELIVERY_DUE,
    REFERRAL_RETURNED,
    CLAIM_CONFIRM,
    MENTION,
    SELF_REPORT_ACCEPT,
    POST_ENDING,
    LOAN_MATURING,
    INSTALMENT_OVERDUE,
    PLAN_REVIEW_DUE,
)
KINDS_BY_CODE: dict[str, TaskKind] = {kind.code: kind for kind in KINDS}
KIND_CHOICES = [(kind.code, kind.label) for kind in KINDS]


def task_of(row: dict, today: datetime.date) -> Task:
    """A shaped row as a task: its texts and link come from its kind, with no query."""
    kind = KINDS_BY_CODE[row["t_kind"]]
    due: datetime.date = row["t_due"]
    late = (today - due).days if kind.can_be_late else 0
    if row["t_household"] is not None:
        subject = " ".join(part for part in (row["t_number"], row["t_head"]) if part)
    else:
        subject = row["t_number"] or row["t_head"] or "—"
    return Task(
        kind=kind.code,
        kind_label=str(kind.label),
        title=kind.title(row),
        subject=subject,
        why=kind.why(row),
        due_on=due,
        overdue=late > 0,
        days_overdue=max(late, 0),
        url=kind.url(row),
        can_be_late=kind.can_be_late,
    )
