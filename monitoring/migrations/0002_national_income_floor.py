from decimal import Decimal

from django.db import migrations


def add_national_floor(apps, schema_editor):
    # The 2021 national monitoring floor: 6,000 yuan per person per year (中农组发〔2021〕7号).
    IncomeLine = apps.get_model("monitoring", "IncomeLine")
    IncomeLine.objects.get_or_create(
        region=None,
        year=2021,
        defaults={"amount": Decimal("6000.00"), "note": "2021 national floor"},
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(add_national_floor, migrations.RunPython.noop)]
