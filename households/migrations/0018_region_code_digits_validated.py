from django.db import migrations


class Migration(migrations.Migration):
    # A code that is not twelve ASCII digits stops the migration here, with 0017 applied:
    # correct the code, and migrate again.

    dependencies = [
        ("households", "0017_region_code_digits"),
    ]

    operations = [
        migrations.RunSQL(
            sql='ALTER TABLE "households_region" VALIDATE CONSTRAINT "region_code_digits"',
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
