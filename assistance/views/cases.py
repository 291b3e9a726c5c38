"""Case pages: lists, proposal, the case with its steps, the public notice."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.lockout import client_address
from accounts.models import Role
from assistance import catalogue, eligibility, notices, selectors, steps
from assistance.evidence_owners import CASE_STEP
from assistance.forms import (
    CaseEditForm,
    CaseProposeForm,
    CivilAffairsDecisionForm,
    CivilAffairsReferForm,
    EliminationForm,
    NeedForm,
    NoticePostForm,
    StepForm,
)
from assistance.models import (
    CATEGORY_FOR_STATUS,
    CaseCategory,
    CaseOrigin,
    CaseStatus,
    Phase,
    StepKind,
)
from assistance.next_steps import level_label, next_action
from assistance.services import cases as case_services
from assistance.services import civil_affairs
from assistance.views.civil_affairs import civil_affairs_context
from assistance.views.comments import conversation_for
from assistance.views.common import PAGE_SIZE, attempt, staff_for
from assistance.views.referrals import need_form_initial
from audit.models import ExportKind
from audit.services import export_record
from core.pagination import numbered_page
from evidence.forms import AttachmentForm
from evidence.services import evidence_attach
from households import selectors as household_selectors
from households.history import history_rows
from households.list_search import list_request
from monitoring import capacity_selectors
from monitoring import selectors as monitoring_selectors
from monitoring.models import AlertStatus

# How far back the case list offers the batch notices of deliberation meetings.
MEETINGS_DAYS = 60


@login_required
@permission_required("assistance.view_case", raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_list(request):
    """The cases as a working list; its search box is sent by POST so that an ID number typed in
    it never travels in a query string (households.list_search)."""
    user = request.user
    listing = list_request(request, reverse("case-list"))
    if listing.redirect is not None:
        return listing.redirect  # no ID number is rendered, linked or kept from an address
    search, params = listing.search, listing.params
    show = selectors.case_tab(user, params)
    listed = params.copy()
    listed["show"] = show  # the tab opened by default, named: the export reads the same rows
    cases = selectors.cases_listed(
        user, listed, id_number_hash=search.id_number_hash if search else ""
    )
    if search is not None and search.refused:
        cases = cases.none()  # a refused ID search lists nothing, never everything
    page = numbered_page(request, cases, page_size=PAGE_SIZE, params=listed)
    response = render(
        request,
        "assistance/case_list.html",
        {
            "page": page,
            "show": show,
            "search": search,
            "tabs": [
                ("awaiting", _("Waiting for me")),
                ("open", _("Identifying and enrolled")),
                ("eliminating", _("Risk elimination")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
            "categories": CaseCategory.choices,
            "category": params.get("category", ""),
            "query": params.get("q", "").strip(),
            "today": timezone.localdate(),
            "overdue_count": selectors.steps_overdue(user, as_of=timezone.localdate()).count(),
            # The village's recent deliberation meetings, each with its batch public notice.
            "meetings": notices.meetings_recent(
                user=user, since=timezone.localdate() - datetime.timedelta(days=MEETINGS_DAYS)
            ),
        },
    )
    if request.method == "POST":
        response["HX-Push-Url"] = "false"  # whatever a POST searched stays out of the address
    return response


@login_required
@permission_required("assistance.view_case", raise_exception=True)
def case_overdue(request):
    """Steps past their due date, for the township and the county to chase."""
    today = timezone.localdate()
    overdue = selectors.steps_overdue(request.user, as_of=today, params=request.GET)
    page = numbered_page(request, overdue, page_size=PAGE_SIZE)
    for step in page:
        step.days_late = (today - step.due_on).days
    return render(
        request,
        "assistance/case_overdue.html",
        {"page": page, "today": today, "phase_days": steps.phase_days()},
    )


@login_required
@permission_required("assistance.propose_case", raise_exception=True)
def case_propose(request):
    """Open a case from a confirmed warning (?alert=), or for a household (?household=) on its
    own report or a cadre's proposal."""
    source = request.POST if request.method == "POST" else request.GET
    alert = None
    if source.get("alert"):
        alert = (
            monitoring_selectors.alerts_visible_to(request.user)
            .filter(pk=source["alert"] if str(source["alert"]).isdigit() else 0)
            .select_related("household__village")
            .first()
        )
        if alert is None:
            raise Http404
        household = alert.household
    else:
        household = household_selectors.household_get(
            user=request.user, pk=source.get("household") or 0
        )
    staff = staff_for(household)
    if request.method == "POST":
        form = CaseProposeForm(
            request.POST, staff=staff, from_alert=request.POST.get("origin") == CaseOrigin.ALERT
        )
        created = {}

        def propose(data):
            created["case"] = case_services.case_propose(
                actor=request.user,
                household_id=data["household"],
                origin=data["origin"],
                alert_id=data.get("alert"),
                category=data["category"],
                risk_types=data["risk_types"],
                situation=data["situation"],
                social_assistance=data.get("social_assistance") or None,
                responsible_id=data.get("responsible"),
                civil_affairs=data.get("civil_affairs") or None,
            )

        if attempt(form, propose):
            messages.success(request, _("The case is open. Its steps and due dates are below."))
            return redirect("case-detail", pk=created["case"].pk)
    else:
        from_alert = alert is not None and alert.status == AlertStatus.CONFIRMED
        form = CaseProposeForm(
            staff=staff,
            from_alert=from_alert,
            initial={
                "household": household.pk,
                "alert": alert.pk if from_alert else None,
                "origin": CaseOrigin.ALERT if from_alert else request.GET.get("origin", "cadre"),
                "category": CATEGORY_FOR_STATUS.get(household.poverty_status),
                "risk_types": catalogue.risk_types_from_reasons(alert.reasons if alert else []),
                "situation": alert.self_report if alert else "",
                "responsible": request.user.pk
                if request.user.role != Role.VILLAGE_WORKER
                else None,
            },
        )
    if not request.user.has_perm("assistance.change_case"):
        form.fields.pop("civil_affairs", None)  # townships and counties refer to civil affairs
    return render(
        request,
        "assistance/case_propose.html",
        {"form": form, "household": household, "alert": alert},
        status=400 if request.method == "POST" else 200,
    )


def _step_forms(request, case, next_step, bound: dict):
    """The form for the step the case waits for, if this user's role takes it."""
    if next_step is None:
        return {}
    rule = steps.rule_for(next_step.phase, next_step.kind)
    delegation = None
    if not request.user.has_perm(rule.permission):
        delegation = selectors.delegation_for(
            request.user,
            permission=rule.permission,
            village_code=case.household.village_id,
            as_of=timezone.localdate(),
        )
        if delegation is None:
            return {}
    initial = {"version": case.version}
    forms = {
        "step": bound.get("step") or StepForm(kind=next_step.kind, initial=initial),
        # The step's paper: the signed 承诺授权书, the deliberation's minutes and attendance,
        # a photo of the posted notice.
        "attachment": bound.get("attachment") or AttachmentForm(),
    }
    if delegation is not None:
        forms["delegation"] = delegation
    if next_step.kind == StepKind.NOTICE:
        today = timezone.localdate()
        forms["notice"] = bound.get("notice") or NoticePostForm(
            initial={
                **initial,
                "starts_on": next_step.notice_starts_on or today,
                "ends_on": next_step.notice_ends_on
                or today + datetime.timedelta(days=steps.NOTICE_MIN_DAYS - 1),
            }
        )
    return forms


@login_required
@permission_required("assistance.view_case", raise_exception=True)
def case_detail(request, pk, bound=None):
    bound = bound or {}
    case = selectors.case_get(user=request.user, pk=pk)
    today = timezone.localdate()
    next_step = selectors.case_next_step(case)
    all_steps = list(
        case.steps.select_related("actor", "notice_posted_by", "delegation__delegator")
    )
    for step in all_steps:
        step.overdue = not step.decision and step.due_on < today and step == next_step
        step.level_label = level_label(steps.level_of(steps.rule_for(step.phase, step.kind)))
    phases = []
    for phase, round_ in sorted({(s.phase, s.round) for s in all_steps}, key=lambda k: k[1]):
        phases.append(
            (
                Phase(phase).label,
                round_,
                [s for s in all_steps if s.phase == phase and s.round == round_],
            )
        )
    measures = list(
        case.measures.select_related("partner", "responsible").prefetch_related("members")
    )
    deadline = None
    if next_step is not None:
        # The proposal step is due on the day of the proposal (day 0) and the last step on the
        # last day of the phase: the page names both, as the limit is counted.
        of_phase = [
            s for s in all_steps if (s.phase, s.round) == (next_step.phase, next_step.round)
        ]
        last = of_phase[-1]
        deadline = {
            "proposed_on": of_phase[0].due_on,
            "last_day": last.due_on,
            "days": last.due_days if last.due_days is not None else steps.phase_days(),
            "working": last.due_unit == steps.WORKING,
            "profile": last.due_profile,
        }
    action = next_action(case, next_step, user=request.user, as_of=today)
    notice = notices.case_notice(case)
    context = {
        "case": case,
        "household": case.household,
        "phases": phases,
        "next_step": next_step,
        "action": action,
        "notice": notice,
        "deadline": deadline,
        "forms": _step_forms(request, case, next_step, bound),
        "measures": measures,
        "can_edit": request.user.has_perm("assistance.change_case") and case.is_open,
        "can_add_measure": request.user.has_perm("assistance.add_measure") and case.is_open,
        "needs": selectors.needs_of_case(case),
        "can_change_needs": request.user.has_perm("assistance.change_need"),
        "need_form": NeedForm(initial=need_form_initial())
        if case.is_open and request.user.has_perm("assistance.add_need")
        else None,
        "today": today,
        "history": history_rows(selectors.case_history(case)[:50], viewer=request.user),
        "conversation": conversation_for(request, case),
        **civil_affairs_context(request, case, bound),
    }
    shown_step = action is not None and action.available
    # A form posted for a step this page does not offer the user still explains what went wrong.
    context["stray_errors"] = [
        message
        for key, form in bound.items()
        if key != "elimination"
        # The step's form is not shown while the step is held (its reason is, in its place).
        and (context["forms"].get(key) is not form or (key == "step" and not shown_step))
        for messages_ in form.errors.values()
        for message in messages_
    ]
    if case.status in (CaseStatus.ENROLLED, CaseStatus.ELIMINATING):
        items = eligibility.case_eligibility(case, today)
        context["eligibility"] = items
        context["eligible"] = eligibility.is_eligible(items)
        # Beside the income test, for the deliberation: not a condition of elimination.
        reading = capacity_selectors.latest_reading(request.user, case.household_id)
        context["capacity"] = reading
        context["capacity_rows"] = capacity_selectors.component_rows(reading) if reading else []
        context["can_propose_elimination"] = (
            case.status == CaseStatus.ENROLLED and request.user.has_perm("assistance.propose_case")
        )
        context["elimination_form"] = bound.get("elimination") or EliminationForm(
            initial={"version": case.version}
        )
    if context["can_add_measure"]:
        suggestions, offers = selectors.case_suggestions(case, as_of=today)
        context["suggestions"] = suggestions
        context["offers"] = offers[:10]
    return render(request, "assistance/case_detail.html", context, status=400 if bound else 200)


@login_required
@require_POST
def case_step(request, pk, kind):
    case = selectors.case_get(user=request.user, pk=pk)
    form = StepForm(request.POST, kind=kind)
    attachment = AttachmentForm(request.POST, request.FILES)
    step = selectors.case_next_step(case)

    def record(data):
        with transaction.atomic():
            case_services.case_step_record(
                actor=request.user,
                case=case,
                version=data["version"],
                kind=kind,
                decision=data["decision"],
                comment=data["comment"],
                info_check_result=data.get("info_check_result", ""),
                objections=data.get("objections", ""),
            )
            # The step just taken is the one the case waited for (the service refused any other).
            if attachment.cleaned_file is not None and step is not None:
                evidence_attach(
                    actor=request.user,
                    owner_kind_key=CASE_STEP,
                    owner_id=step.pk,
                    cleaned=attachment.cleaned_file,
                )

    if attachment.is_valid() and attempt(form, record):
        messages.success(request, _("Recorded: %(step)s.") % {"step": StepKind(kind).label})
        return redirect("case-detail", pk=case.pk)
    return case_detail(request, pk, bound={"step": form, "attachment": attachment})


@login_required
@require_POST
def case_notice_post(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = NoticePostForm(request.POST)

    def post(data):
        case_services.case_notice_post(
            actor=request.user,
            case=case,
            version=data["version"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )

    if attempt(form, post):
        messages.success(request, _("The notice is posted. Print it for the village board."))
        return redirect("case-detail", pk=case.pk)
    return case_detail(request, pk, bound={"notice": form})


@login_required
@permission_required("assistance.view_case", raise_exception=True)
@require_POST
def case_notice_print(request, pk):
    """The village public notice, for printing. By construction it is given only the head's
    name, the village, the category, the dates and a contact: never an ID number, a phone
    number of the household, a bank account or a health detail.

    A POST with the CSRF token, since each print is recorded: a GET (a link on another site)
    would write an audit row nobody asked for."""
    case = selectors.case_get(user=request.user, pk=pk)
    notice = notices.case_notice(case)
    if notice is None:
        raise Http404
    # The notice leaves the system on paper: recorded like an export (PIPL access record).
    export_record(
        actor=request.user,
        address=client_address(request),
        filters=dict(request.GET.lists()),
        name="case-notice",
        row_count=1,
        kind=ExportKind.PRINT,
        region_code=case.household.village_id,
        household_number=case.household.number,
    )
    return render(request, "assistance/case_notice.html", {"notice": notice, "rows": [notice]})


@login_required
@permission_required("assistance.view_case", raise_exception=True)
@require_POST
def meeting_notice_print(request, village, day):
    """The public notice of one deliberation meeting: every household the village deliberated
    on `day` whose notice is posted, on one sheet. Each row is what the single notice shows and
    nothing more (assistance.notices). A POST, recorded, as the single notice is."""
    try:
        on = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    rows = notices.meeting_notice(user=request.user, village_code=village, day=on)
    if not rows:
        raise Http404
    export_record(
        actor=request.user,
        address=client_address(request),
        filters={"village": [village], "day": [day]},
        name="meeting-notice",
        row_count=len(rows),
        kind=ExportKind.PRINT,
        region_code=village,
    )
    phases = [
        (phase, [row for row in rows if row.phase == phase])
        for phase in (Phase.IDENTIFICATION, Phase.ELIMINATION)
        if any(row.phase == phase for row in rows)
    ]
    return render(
        request,
        "assistance/meeting_notice.html",
        {
            "rows": rows,
            "phases": phases,
            "first": rows[0],
            "day": on,
            # One period for all when the notices went up together, else each row's own.
            "period": periods.pop()
            if len(periods := {(r.starts_on, r.ends_on) for r in rows}) == 1
            else None,
            "contacts": sorted({row.contact_name for row in rows if row.contact_name}),
        },
    )


@login_required
@permission_required("assistance.change_case", raise_exception=True)
@require_POST
def case_civil_affairs_refer(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = CivilAffairsReferForm(request.POST)

    def refer(data):
        civil_affairs.civil_affairs_refer(actor=request.user, case=case, kind=data["kind"])

    if attempt(form, refer):
        messages.success(
            request, _("Referred to civil affairs. Record its decision when it comes.")
        )
        return redirect("case-detail", pk=case.pk)
    return case_detail(request, pk, bound={"civil_affairs_refer": form})


@login_required
@permission_required("assistance.change_case", raise_exception=True)
@require_POST
def case_civil_affairs_decision(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = CivilAffairsDecisionForm(request.POST)

    def decide(data):
        civil_affairs.civil_affairs_decide(actor=request.user, case=case, **data)

    if attempt(form, decide):
        messages.success(request, _("Civil affairs' decision is recorded."))
        return redirect("case-detail", pk=case.pk)
    return case_detail(request, pk, bound={"civil_affairs_decision": form})


@login_required
@require_POST
def case_elimination(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = EliminationForm(request.POST)

    def propose(data):
        case_services.case_elimination_propose(
            actor=request.user, case=case, version=data["version"], comment=data["comment"]
        )

    if attempt(form, propose):
        messages.success(request, _("Risk elimination is proposed. Its steps are below."))
        return redirect("case-detail", pk=case.pk)
    return case_detail(request, pk, bound={"elimination": form})


@login_required
@permission_required("assistance.change_case", raise_exception=True)
def case_edit(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    staff = staff_for(case.household)
    if request.method == "POST":
        form = CaseEditForm(request.POST, staff=staff)

        def update(data):
            case_services.case_update(
                actor=request.user,
                case=case,
                version=data["version"],
                category=data["category"],
                risk_types=data["risk_types"],
                situation=data["situation"],
                social_assistance=data.get("social_assistance") or case.social_assistance,
                responsible_id=data.get("responsible"),
            )

        if attempt(form, update):
            messages.success(request, _("Saved."))
            return redirect("case-detail", pk=case.pk)
    else:
        form = CaseEditForm(
            staff=staff,
            initial={
                "version": case.version,
                "category": case.category,
                "risk_types": case.risk_types,
                "situation": case.situation,
                "social_assistance": case.social_assistance,
                "responsible": case.responsible_id,
            },
        )
    return render(
        request,
        "assistance/case_edit.html",
        {"form": form, "case": case},
        status=400 if request.method == "POST" else 200,
    )
