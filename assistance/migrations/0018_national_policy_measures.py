from django.db import migrations

# The national entries of the measure catalogue as assistance/catalogue.py listed them when this
# migration was written (risk type, kind, title as written in the code, department, offers); a
# test keeps the code's list and these rows in step.
NATIONAL = [
    ('illness', 'health', 'Medical assistance for serious illness', 'medical_security', []),
    ('illness', 'health', 'Subsidy for basic medical insurance contributions', 'medical_security', []),
    ('illness', 'health', 'Family doctor contract service', 'health', ['services']),
    ('disability', 'social_security', 'Living and nursing subsidies for disability', 'disabled_persons', []),
    ('disability', 'health', 'Rehabilitation service', 'disabled_persons', ['services']),
    ('schooling', 'education', 'Student financial aid', 'education', ['funds']),
    ('schooling', 'education', 'Return to school and keep in school', 'education', []),
    ('disaster', 'social_security', 'Temporary relief', 'civil_affairs', []),
    ('disaster', 'housing', 'Rebuilding or repair of a damaged house', 'housing', []),
    ('disaster', 'social_help', 'Donated goods', 'emergency', ['goods']),
    ('accident', 'social_security', 'Temporary relief', 'civil_affairs', []),
    ('accident', 'social_help', 'Charitable aid', 'civil_affairs', ['funds']),
    ('failed_business', 'industry', 'Industry support and technical guidance', 'rural_revitalisation', []),
    ('failed_business', 'micro_credit', 'Micro-credit for lifted-out households', 'rural_revitalisation', []),
    ('failed_business', 'consumption', "Consumption support: buy the household's produce", 'rural_revitalisation', []),
    ('unstable_work', 'employment', 'Job placement', 'human_resources', ['jobs']),
    ('unstable_work', 'employment', 'Skills training', 'human_resources', ['training']),
    ('unstable_work', 'public_post', 'Public-welfare post', 'human_resources', ['jobs']),
    ('labour_shortage', 'social_security', 'Minimum living allowance or tekun support', 'civil_affairs', []),
    ('labour_shortage', 'social_help', 'Care and help from volunteers', 'civil_affairs', ['services']),
    ('other', 'motivation', 'Motivation and skills support', 'rural_revitalisation', []),
    ('other', 'social_security', 'Temporary relief', 'civil_affairs', []),
]


def seed(apps, schema_editor):
    PolicyMeasure = apps.get_model("assistance", "PolicyMeasure")
    for risk_type, kind, title, department, offer_kinds in NATIONAL:
        PolicyMeasure.objects.get_or_create(
            region=None,
            risk_type=risk_type,
            title=title,
            defaults={"kind": kind, "department": department, "offer_kinds": offer_kinds},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0017_policy_measure"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
