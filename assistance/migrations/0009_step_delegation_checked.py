from django.db import migrations


class Migration(migrations.Migration):
    """The steps' delegation constraint validated, and the history's index built, without
    holding up writes to the step tables (see 0004)."""

    atomic = False

    dependencies = [("assistance", "0008_delegations_and_case_notes")]

    operations = [
        migrations.RunSQL(
            sql=(
                'ALTER TABLE "assistance_casestep" VALIDATE CONSTRAINT '
                '"assistance_casestep_delegation_id_a58fd99e_fk_assistanc";'
            ),
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS "
                '"assistance_casestepevent_delegation_id_031391ce" '
                'ON "assistance_casestepevent" ("delegation_id");'
            ),
            reverse_sql=(
                'DROP INDEX CONCURRENTLY IF EXISTS "assistance_casestepevent_delegation_id_031391ce";'
            ),
        ),
    ]
