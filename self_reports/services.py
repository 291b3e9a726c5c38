"""Every write of the households' own reports: the public channel and the cadres' answers.

The public channel has no user. It asks for a one-time code (sent to the phone), then sends the
report with it; each step is counted against the abuse limits first (per client address, per
phone, per ID number), counted atomically in the database so that two web processes see the
same counts. A refused request writes nothing but its count.

No oracle: whatever the registry holds, the applicant's answer is the same page with a new query
code. Behind it, a report whose ID number is an active member's in the village's county opens
or joins that household's warning (monitoring's `self_report_received`); any other report waits
for the village's cadres, who register the household or link the report to one.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assistance.deadlines import Deadlines
from core.errors import EditConflict
from core.id_numbers import IdNumber, lookup_hash
from households.models import Region
from monitoring.services.alerts import self_report_received, self_report_record
from self_reports import selectors
from self_reports.models import HardshipType, PhoneCode, SelfReport, SelfReportStatus
from self_reports.sms import sms_send

# The query code's letters: no 0/O, 1/I/L, so that it reads back from paper without doubt.
QUERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_LENGTH = 12
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


class RateLimited(Exception):
    """Too many requests of one key in its window: the door answers 429 with the message."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _keyed(kind: str, value: str) -> str:
    """A keyed hash of a phone, a code or an address, apart from the ID numbers' by its kind."""
    return hmac.new(
        settings.ID_HASH_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def query_code_hash(code: str) -> str:
    return _keyed("query", normalised_query_code(code))


def normalised_query_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _window(length: datetime.timedelta) -> datetime.datetime:
    now = timezone.now()
    seconds = int(length.total_seconds())
    return datetime.datetime.fromtimestamp(
        int(now.timestamp()) // seconds * seconds, tz=datetime.UTC
    )


def _hit(key: str, length: datetime.timedelta) -> int:
    """Count one request of `key` in the current window and return the window's count. One
    statement: concurrent requests each get their own number, never the same one twice."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO self_reports_ratecount (key, window_start, count) VALUES (%s, %s, 1)
            ON CONFLICT (key, window_start)
            DO UPDATE SET count = self_reports_ratecount.count + 1
            RETURNING count
            """,
            [key, _window(length)],
        )
        return int(cursor.fetchone()[0])


def _limit(key: str, length: datetime.timedelta, allowed: int, message: str) -> None:
    if _hit(key, length) > allowed:
        raise RateLimited(message)


def public_request_count(*, address: str | None) -> None:
    """Every request that sends something through a public page counts against its address."""
    _limit(
        "addr:" + _keyed("addr", address or "unknown"),
        HOUR,
        settings.SELF_REPORT_REQUESTS_PER_ADDRESS_HOUR,
        _("Too many requests from this network. Please try again in an hour."),
    )


def phone_code_request(*, phone: str) -> None:
    """Send a one-time code to the phone (after the phone's own limit)."""
    phone_hash = _keyed("phone", phone)
    _limit(
        "phone:" + phone_hash,
        HOUR,
        settings.SELF_REPORT_CODES_PER_PHONE_HOUR,
        _("Too many codes were sent to this phone. Please try again in an hour."),
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = settings.SELF_REPORT_CODE_MINUTES
    with transaction.atomic():
        PhoneCode.objects.create(
            phone_hash=phone_hash,
            code_hash=_keyed("code", f"{phone_hash}:{code}"),
            expires_at=timezone.now() + datetime.timedelta(minutes=minutes),
        )
        text = _(
            "Dixian: your code is %(code)s, valid for %(minutes)d minutes. "
            "Do not tell it to anyone."
        ) % {"code": code, "minutes": minutes}
        transaction.on_commit(lambda: sms_send(phone, text))


@dataclass(frozen=True)
class ReportInput:
    village: Region
    name: str
    phone: str
    id_number: IdNumber
    hardship: str
    account: str
    code: str


def _code_refused(message: str) -> ValidationError:
    return ValidationError({"code": message})


def self_report_submit(*, data: ReportInput) -> str:
    """Record a household's own report and return its query code (shown once, kept hashed).

    The ID number's daily limit counts reports whose code was right (guessing codes runs into
    the code's own attempts and the phone's and address's limits instead). A wrong code counts
    an attempt and writes nothing else; a used or expired one writes nothing."""
    id_hash = lookup_hash(data.id_number.number)
    if data.hardship not in HardshipType.values:
        raise ValidationError({"hardship": _("Choose the kind of hardship.")})
    phone_hash = _keyed("phone", data.phone)
    refusal: ValidationError | None = None
    query_code = ""
    with transaction.atomic():
        code_row = (
            PhoneCode.objects.select_for_update()
            .filter(phone_hash=phone_hash)
            .order_by("-created_at", "-pk")
            .first()
        )
        now = timezone.now()
        if code_row is None:
            refusal = _code_refused(_("Ask for a code for this phone first."))
        elif code_row.used_at is not None:
            refusal = _code_refused(_("This code has been used already. Ask for a new one."))
        elif code_row.expires_at <= now:
            refusal = _code_refused(_("This code has expired. Ask for a new one."))
        elif code_row.attempts >= settings.SELF_REPORT_CODE_ATTEMPTS:
            refusal = _code_refused(_("The code was entered wrongly too often. Ask for a new one."))
        elif not hmac.compare_digest(
            code_row.code_hash, _keyed("code", f"{phone_hash}:{data.code.strip()}")
        ):
            code_row.attempts += 1
            code_row.save(update_fields=["attempts"])
            refusal = _code_refused(_("The code is wrong. Check the message and try again."))
        else:
            # Counted only once a code is right, in the report's transaction: reports sent with
            # someone's number and no code cannot use up that person's day.
            _limit(
                "id:" + _keyed("id", id_hash),
                DAY,
                settings.SELF_REPORT_REPORTS_PER_ID_DAY,
                _("Too many reports for this ID number today. Please try again tomorrow."),
            )
            code_row.used_at = now
            code_row.save(update_fields=["used_at"])
            query_code = "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_LENGTH))
            self_report_store(data, id_hash=id_hash, query_code=query_code, now=now)
    if refusal is not None:
        raise refusal
    return query_code


def self_report_store(
    data: ReportInput, *, id_hash: str, query_code: str, now: datetime.datetime
) -> SelfReport:
    """Store a report whose phone code was checked (self_report_submit; the demo county's own
    reports), and open or join the warning of the household its ID number belongs to."""
    deadlines = Deadlines()
    profile = deadlines.profile_for(data.village.code)
    received_on = timezone.localdate(now)
    report = SelfReport(
        village=data.village,
        name=data.name,
        phone=data.phone,
        id_number_hash=id_hash,
        id_number_masked=data.id_number.masked,
        hardship=data.hardship,
        account=data.account,
        consent_version=settings.SELF_REPORT_CONSENT_VERSION,
        consented_at=now,
        query_code_hash=query_code_hash(query_code),
        received_at=now,
        acceptance_due=deadlines.calendar.add_working_days(
            received_on, profile.self_report_acceptance_days
        ),
    )
    with pghistory.context(source="public_self_report"):
        report.save()
        member = selectors.member_matching(id_number_hash=id_hash, village=data.village)
        if member is not None:
            report.household = member.household
            report.member = member
            report.alert = self_report_received(
                household_id=member.household_id,
                report=_alert_text(report),
                reference=f"self_report:{report.pk}",
            )
            report.save(update_fields=["household", "member", "alert"])
    return report


def _alert_text(report: SelfReport) -> str:
    return f"{report.get_hardship_display()}: {report.account}"


def self_report_status(*, query_code: str) -> str | None:
    """The status of the report with this query code, or None: nothing else leaves."""
    report = selectors.self_report_by_query_code(code_hash=query_code_hash(query_code))
    return report.status if report is not None else None


# --- the cadres' side ---------------------------------------------------------------------------


def _require(actor: User) -> None:
    if not actor.has_perm(selectors.CHANGE):
        raise PermissionDenied(_("Your role may not do this."))


def _locked(actor: User, report_id: int, version: int) -> SelfReport:
    report = selectors.self_report_for_update(user=actor, pk=report_id)
    if report is None:
        raise ValidationError(_("No such report in your region."))
    if report.version != version:
        raise EditConflict()
    return report


def self_report_accept(
    *, actor: User, report_id: int, version: int, household_number: str = ""
) -> SelfReport:
    """Accept (受理) a report: it is being checked. A household number links it to the
    household of its village it speaks of, and opens or joins that household's warning."""
    _require(actor)
    with transaction.atomic(), pghistory.context(user=actor.pk):
        report = _locked(actor, report_id, version)
        if report.status != SelfReportStatus.RECEIVED:
            raise ValidationError(_("This report has been accepted already."))
        number = (household_number or "").strip()
        if number and report.household_id is None:
            household = selectors.household_in_village(
                user=actor, village=report.village, number=number
            )
            if household is None:
                raise ValidationError(
                    {"household_number": _("No household with this number in the village.")}
                )
            report.household = household
            if not household.has_open_case:
                report.alert = self_report_record(
                    actor=actor, household_id=household.pk, report=_alert_text(report)
                )
        report.status = SelfReportStatus.CHECKING
        report.accepted_by = actor
        report.accepted_at = timezone.now()
        report.version += 1
        report.save()
    return report


def self_report_decide(*, actor: User, report_id: int, version: int, note: str) -> SelfReport:
    """Close the report with what was decided, which the cadres keep (the applicant's page says
    only "decided")."""
    _require(actor)
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError({"note": _("Write what was decided.")})
    with transaction.atomic(), pghistory.context(user=actor.pk):
        report = _locked(actor, report_id, version)
        if report.status == SelfReportStatus.DECIDED:
            raise ValidationError(_("This report has been decided already."))
        if report.status == SelfReportStatus.RECEIVED:
            report.accepted_by = actor
            report.accepted_at = timezone.now()
        report.status = SelfReportStatus.DECIDED
        report.decided_by = actor
        report.decided_at = timezone.now()
        report.decided_note = note[:500]
        report.version += 1
        report.save()
    return report
