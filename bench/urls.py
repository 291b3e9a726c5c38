"""The site's URLs plus the comparator the household list is measured against: the view a team
would write by hand for the same rows, `values()` of the households and their members returned
as JsonResponse, behind the same middleware, session and login (bench/household_list.py).

Bench only: it is never in ROOT_URLCONF outside `override_settings` in the benchmark.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone

from core.masking import age_this_year, mask_account, mask_phone
from core.regions import prefix_of
from households import selectors
from households.models import Member

HOUSEHOLD_FIELDS = [
    "id",
    "number",
    "village_id",
    "village__name",
    "address",
    "phone",
    "bank_account",
    "poverty_status",
    "poverty_exit_year",
    "head_name",
    "member_count",
    "income_sharers",
    "risk_level",
    "risk_score",
    "per_capita_income",
    "last_visit_on",
    "next_visit_due",
    "version",
]
MEMBER_FIELDS = [
    "id",
    "household_id",
    "name",
    "id_number_masked",
    "sex",
    "birth_date",  # turned into the age, as the API does
    *Member.FACT_FIELDS,
    "version",
]


@login_required
def households_values(request):
    """The same 50 households as `/api/v1/households/?region=…&risk_level=…&ordering=…`, the
    same region scoping and masking, with none of DRF: two `values()` queries and a dict."""
    ordering = request.GET.get("ordering", "number")
    households = selectors.households_visible_to(request.user).filter(
        village__code__startswith=prefix_of(request.GET["region"]),
        risk_level=request.GET["risk_level"],
    )
    rows = list(households.order_by(ordering, "id").values(*HOUSEHOLD_FIELDS)[:50])
    members: dict[int, list] = {row["id"]: [] for row in rows}
    today = timezone.localdate()
    for member in (
        Member.objects.filter(household_id__in=members)
        .order_by("household_id", "id")
        .values(*MEMBER_FIELDS)
    ):
        member["phone"] = mask_phone(member["phone"])
        member["age"] = age_this_year(member.pop("birth_date"), today=today)
        member.update(health=None, disability=None, health_note=None, sensitive_masked=True)
        members[member["household_id"]].append(member)
    for row in rows:
        row["phone"] = mask_phone(row["phone"])
        row["bank_account"] = mask_account(row["bank_account"])
        row["members"] = members[row["id"]]
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("bench/households-values/", households_values),
    path("", include("config.urls")),
]
