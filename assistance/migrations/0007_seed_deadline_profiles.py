"""The national default and the provinces' profiles as their documents set them (docs/cases.md).

National: 15 calendar days from the proposal (中农组发〔2021〕7号), each step its share.
Gansu (62): home check / information check within 5 working days, county decision within 15.
Anhui (34): acceptance of a self-report within 2 working days (the consent step, where the
household's report is taken in and authorised), decision within 20 working days.
Hainan (46): within 20 working days.
The steps between are spread within each limit, in the same order as the national shares.
"""

from django.db import migrations


def _limits(unit, identification, elimination):
    kinds_identification = (
        "consent",
        "info_check",
        "deliberation",
        "notice",
        "township_review",
        "county_approval",
    )
    kinds_elimination = (
        "home_verification",
        "deliberation",
        "notice",
        "township_review",
        "county_approval",
    )
    return {
        "identification": {
            kind: {"days": days, "unit": unit}
            for kind, days in zip(kinds_identification, identification, strict=True)
        },
        "elimination": {
            kind: {"days": days, "unit": unit}
            for kind, days in zip(kinds_elimination, elimination, strict=True)
        },
    }


PROFILES = [
    ("全国默认", "", _limits("calendar", (2, 5, 7, 13, 14, 15), (4, 7, 13, 14, 15))),
    ("甘肃省", "620000000000", _limits("working", (2, 5, 8, 13, 14, 15), (5, 8, 13, 14, 15))),
    ("安徽省", "340000000000", _limits("working", (2, 6, 10, 17, 19, 20), (6, 10, 17, 19, 20))),
    ("海南省", "460000000000", _limits("working", (3, 7, 10, 17, 19, 20), (6, 10, 17, 19, 20))),
]


def seed(apps, schema_editor):
    DeadlineProfile = apps.get_model("assistance", "DeadlineProfile")
    for name, region_code, limits in PROFILES:
        DeadlineProfile.objects.get_or_create(
            region_code=region_code,
            defaults={
                "name": name,
                "limits": limits,
                "notice_min_days": 5,
                "escalate_after_working_days": 3,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0006_deadline_profiles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
