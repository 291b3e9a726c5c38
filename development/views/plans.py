"""The pages of household development plans: draft one from the household page, write its
goals and commitments, record the household's agreement, review it on a visit, close it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from core.errors import EditConflict
from core.forms import add_service_errors
from development.forms import (
    AgreeForm,
    CloseForm,
    CommitmentForm,
    GoalForm,
    PlanCreateForm,
    ReviewForm,
)
from development.models import PlanStatus
from development.selectors import plans as selectors
from development.services import plans as services
from households.history import history_rows
from households.selectors import household_get

VIEW = "development.view_developmentplan"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@permission_required("development.add_developmentplan", raise_exception=True)
def plan_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    current = selectors.open_plan_of(household)
    if current is not None and request.method != "POST":
        return redirect("plan-detail", current.pk)
    form = PlanCreateForm(request.POST or None, cases=household.cases.order_by("-proposed_on"))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, household_id=household.pk, case_id=form.cleaned_data["case"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("A draft plan is started: write down its goals."))
            return redirect("plan-detail", plan.pk)
    return render(
        request,
        "development/plan_create.html",
        {"household": household, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    plan = selectors.with_contents(selectors.plans_visible_to(request.user)).get(pk=plan.pk)
    user = request.user
    is_draft = plan.status == PlanStatus.DRAFT
    return render(
        request,
        "development/plan_detail.html",
        {
            "plan": plan,
            "household": plan.household,
            "rows": selectors.goal_rows(plan),
            "reviews": plan.reviews.all(),
            "overdue": plan.status == PlanStatus.AGREED
            and plan.next_review_due is not None
            and plan.next_review_due < timezone.localdate(),
            "can_edit": is_draft and user.has_perm("development.change_developmentplan"),
            "can_agree": is_draft and user.has_perm("development.agree_developmentplan"),
            "can_review": plan.status == PlanStatus.AGREED
            and user.has_perm("development.add_planreview"),
            "can_close": plan.is_open and user.has_perm("development.close_developmentplan"),
            "history": history_rows(selectors.plan_history(plan)[:50], viewer=user),
        },
    )


def _edit_page(request, pk, *, template, form_class, build, save, subject_key):
    """A goal's or a commitment's form: new, or (?<subject_key>=id) the plan's one changed."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    subject_id = _int(request.GET.get(subject_key) or request.POST.get(subject_key))
    choices = build(plan)
    subjects = choices.pop("subjects")
    initial_of = choices.pop("initial_of")
    existing = subjects.filter(pk=subject_id).first() if subject_id is not None else None
    initial = {"version": plan.version, **(initial_of(existing) if existing else {})}
    form = form_class(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            save(plan, form.cleaned_data, existing.pk if existing else None)
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            return redirect("plan-detail", plan.pk)
    return render(
        request,
        template,
        {
            "plan": plan,
            "household": plan.household,
            "form": form,
            "existing": existing,
            "subject_key": subject_key,
            "is_draft": plan.status == PlanStatus.DRAFT,
        },
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("development.change_developmentplan", raise_exception=True)
def goal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def build(plan):
        return {
            "members": selectors.active_members(plan.household),
            "subjects": plan.goals.all(),
            "initial_of": lambda goal: {
                "area": goal.area,
                "description": goal.description,
                "target": goal.target,
                "target_date": goal.target_date,
                "member": goal.member_id,
            },
        }

    def save(plan, data, goal_id):
        services.goal_save(
            actor=request.user,
            plan_id=plan.pk,
            version=data["version"],
            area=data["area"],
            description=data["description"],
            target=data["target"],
            target_date=data["target_date"],
            member_id=data["member"],
            goal_id=goal_id,
        )

    return _edit_page(
        request,
        pk,
        template="development/goal_form.html",
        form_class=GoalForm,
        build=build,
        save=save,
        subject_key="goal",
    )


@login_required
@permission_required("development.change_developmentplan", raise_exception=True)
def commitment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def build(plan):
        return {
            "goals": plan.goals.all(),
            "members": selectors.active_members(plan.household),
            "measures": selectors.measures_of(plan.household),
            "subjects": plan.commitments.all(),
            "initial_of": lambda commitment: {
                "goal": commitment.goal_id,
                "party": commitment.party,
                "description": commitment.description,
                "member": commitment.member_id,
                "measure": commitment.measure_id,
                "due": commitment.due,
            },
        }

    def save(plan, data, commitment_id):
        services.commitment_save(
            actor=request.user,
            plan_id=plan.pk,
            version=data["version"],
            goal_id=data["goal"],
            party=data["party"],
            description=data["description"],
            member_id=data["member"],
            measure_id=data["measure"],
            due=data["due"],
            commitment_id=commitment_id,
        )

    return _edit_page(
        request,
        pk,
        template="development/commitment_form.html",
        form_class=CommitmentForm,
        build=build,
        save=save,
        subject_key="commitment",
    )


@login_required
@permission_required("development.agree_developmentplan", raise_exception=True)
def plan_agree(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    today = timezone.localdate()
    form = AgreeForm(
        request.POST or None,
        initial={"version": plan.version, "agreed_on": today},
        members=selectors.adult_members(plan.household, today),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_agree(
                actor=request.user,
                plan_id=plan.pk,
                version=form.cleaned_data["version"],
                member_id=form.cleaned_data["member"],
                method=form.cleaned_data["method"],
                witness=form.cleaned_data["witness"],
                agreed_on=form.cleaned_data["agreed_on"],
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The household's agreement to its plan is recorded."))
            return redirect("plan-detail", plan.pk)
    return render(
        request,
        "development/plan_agree.html",
        {"plan": plan, "household": plan.household, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("development.add_planreview", raise_exception=True)
def plan_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Review the plan on a visit (?visit=id from the visit's page preselects it): every goal
    and commitment rated in one form."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    plan = selectors.with_contents(selectors.plans_visible_to(request.user)).get(pk=plan.pk)
    visits = list(selectors.visits_for_review(plan)[:20])
    initial = {}
    chosen = _int(request.GET.get("visit"))
    if chosen is not None and any(visit.pk == chosen for visit in visits):
        initial["visit"] = chosen
    if request.method == "POST" and selectors.review_on_visit(plan, request.POST.get("visit")):
        # The form sent again (a double tap, the back button): the review is recorded already.
        return redirect("plan-detail", plan.pk)
    form = ReviewForm(request.POST or None, initial=initial, plan=plan, visits=visits)
    if request.method == "POST" and form.is_valid():
        try:
            _review, created = services.plan_review(
                actor=request.user,
                plan_id=plan.pk,
                visit_id=form.cleaned_data["visit"],
                ratings=form.ratings(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if created:
                messages.success(request, _("The plan's review is recorded."))
            return redirect("plan-detail", plan.pk)
    return render(
        request,
        "development/plan_review.html",
        {
            "plan": plan,
            "household": plan.household,
            "form": form,
            "has_visits": bool(visits),
            # Opened from a visit's page: the way back is to that visit.
            "from_visit": initial.get("visit"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("development.close_developmentplan", raise_exception=True)
def plan_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = CloseForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_close(
                actor=request.user,
                plan_id=plan.pk,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, EditConflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan is closed."))
            return redirect("plan-detail", plan.pk)
    return render(
        request,
        "development/plan_close.html",
        {"plan": plan, "household": plan.household, "form": form},
        status=400 if form.errors else 200,
    )
