"""Civil affairs' roster of the demo township, to reconcile with ours: most of its 低保 and 特困
recipients are flagged here too (one with another status), two it lists are registered here but
not flagged, two are not registered here at all, and the township's other flagged members are
missing from it."""

import datetime

from django.utils import timezone
from stdnum.cn import ric

from accounts.models import User
from assistance.models import CivilAffairsRoster
from assistance.services.civil_affairs_roster import RosterRow, roster_import
from core import id_numbers
from households.models import Member

# Born in 景泰县 in 1981 and 1986; no demo member carries these numbers (the generator's
# sequence numbers stay below 999).
UNREGISTERED_BODIES = ("62042319810923998", "62042319860214997")


def _number(member: Member) -> str:
    return id_numbers.decrypt(member.id_number_encrypted)


def seed_roster(users: dict[str, User]) -> int:
    """The township's roster, imported by its cadre; the number of its lines."""
    if CivilAffairsRoster.objects.exists():
        return 0
    cadre = users["township"]
    township = cadre.region_id or ""
    members = Member.objects.filter(
        household__village__code__startswith=township[:9], status=Member.Status.ACTIVE
    ).order_by("pk")
    flagged = list(members.filter(dibao=True)[:6]) + list(members.filter(tekun=True)[:1])
    unflagged = list(members.filter(dibao=False, tekun=False, relation="head")[:2])
    since = timezone.localdate().replace(month=1, day=1)
    rows: list[RosterRow] = []

    def add(number: str, status: str, amount: str) -> None:
        rows.append(RosterRow(len(rows) + 2, number, status, since, amount, township))

    for index, member in enumerate(flagged):
        # The first dibao recipient is 特困 in civil affairs' books: a mismatch to settle.
        status = "特困" if member.tekun or index == 0 else "低保"
        add(_number(member), status, "7488" if status == "特困" else "5760")
    for member in unflagged:
        add(_number(member), "低保边缘", "")
    for body in UNREGISTERED_BODIES:
        add(body + ric.calc_check_digit(body + "0"), "低保", "5760")
    roster = roster_import(
        actor=cadre,
        file_name=f"民政低保特困名单{datetime.date.today():%Y%m}.xlsx",
        rows=rows,
    )
    return roster.entries.count()
