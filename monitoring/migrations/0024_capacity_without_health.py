"""Readings whose labour component was lowered by a member's health or disability are removed:
their value and details told every reader who is ill, which every role sees withheld. The
monthly measure (development.capacity) writes them again without health; the others stand,
their value unchanged (health lowered nothing in them)."""

from django.db import migrations


def remove_health_lowered(apps, schema_editor):
    CapacityReading = apps.get_model("monitoring", "CapacityReading")
    CapacityReading.objects.filter(
        components__contains=[{"code": "labour", "reason": "lowered_by_health"}]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0023_capacity")]

    operations = [migrations.RunPython(remove_health_lowered, migrations.RunPython.noop)]
