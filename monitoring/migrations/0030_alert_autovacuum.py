from django.db import migrations

# The warning queue and the task list count a township's warnings from an index alone
# (alert_active_village, alert_open_village): an index-only scan, as long as the table's pages
# are marked all-visible. Every assignment, verification and evaluation clears a page's mark,
# and at PostgreSQL's default (a vacuum after a fifth of the table changed: 60,000 of a county's
# 300,000 warnings) the marks stay cleared for the working day; the count then reads the heap
# pages (the queue's count 5.4 ms against 2.0 after a vacuum, its page 51 ms against 44, at
# 1,000,000 households after 1,519 changed warnings). Vacuumed after about 0.2 % changed, a
# vacuum reads only the pages changed since the last (the visibility map says which).
AUTOVACUUM = {
    "autovacuum_vacuum_scale_factor": "0.002",
    "autovacuum_vacuum_insert_scale_factor": "0.002",
}


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0029_alert_open_by_day"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE monitoring_alert SET "
            f"({', '.join(f'{name} = {value}' for name, value in AUTOVACUUM.items())})",
            reverse_sql=f"ALTER TABLE monitoring_alert RESET ({', '.join(AUTOVACUUM)})",
        ),
    ]
