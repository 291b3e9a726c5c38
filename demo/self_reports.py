"""Two households' own reports from the village worker's village, as its public page takes them:
one from a registered member (it joins their household's warning), one from someone the
registry does not hold yet (it waits for the village's cadres to register or link)."""

from django.utils import timezone
from stdnum.cn import ric

from accounts.models import User
from core import id_numbers
from households.models import Member, Region
from self_reports.models import HardshipType, SelfReport
from self_reports.services import ReportInput, self_report_store

# Born in 景泰县 in 1975; no demo member carries this number.
UNREGISTERED_BODY = "62042319750606996"
# What the applicants were given, for trying the status page (/report/status/) in the demo.
DEMO_QUERY_CODES = ("DEMXREPQRT23", "DEMXREPQRT24")


def seed_self_reports(users: dict[str, User]) -> int:
    if SelfReport.objects.exists():
        return 0
    village = Region.objects.get(pk=users["village"].region_id)
    today = timezone.localdate()
    member = (
        Member.objects.filter(household__village=village, status=Member.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    reports = [
        (
            "王秀兰",
            "13993120001",
            UNREGISTERED_BODY + ric.calc_check_digit(UNREGISTERED_BODY + "0"),
            HardshipType.ILLNESS,
            "丈夫突发脑梗住院，自付医疗费约3万元，家里没有劳动力了。",
        )
    ]
    if member is not None:
        reports.append(
            (
                member.name,
                "13993120002",
                id_numbers.decrypt(member.id_number_encrypted),
                HardshipType.DISASTER,
                "冰雹把玉米打了，今年收成没有了。",
            )
        )
    for index, (name, phone, number, hardship, account) in enumerate(reports):
        checked = id_numbers.check_id_number(number, today=today)
        query_code = DEMO_QUERY_CODES[index]
        self_report_store(
            ReportInput(village, name, phone, checked, hardship, account, code=""),
            id_hash=id_numbers.lookup_hash(checked.number),
            query_code=query_code,
            now=timezone.now(),
        )
    return len(reports)
