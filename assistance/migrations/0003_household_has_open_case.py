# The case services keep Household.has_open_case from now on; this fills it for the cases that
# are open when it arrives. It lives here, not in households: the cases are assistance's, and
# households (below assistance) knows nothing of them.

from django.db import migrations

FILL = """
UPDATE households_household SET has_open_case = true
WHERE id IN (
    SELECT household_id FROM assistance_case
    WHERE status IN ('identifying', 'enrolled', 'eliminating')
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_audit_history_append_only"),
        ("households", "0007_household_has_open_case"),
    ]

    # Back to before: the column goes with households 0007; nothing to undo here.
    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]
