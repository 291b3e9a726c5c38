"""Notifications stored before messages had keys (text only, in the default language) get their
key and arguments back where the text is exactly a registered message's rendering, so that they
are read in the reader's language like the new ones. The text is kept: it stays the fallback,
and a row whose words cannot be read back is left as it was."""

from django.conf import settings
from django.db import migrations

BATCH = 1000


def recover_keys(apps, schema_editor):
    from monitoring.messages import recover_message

    Notification = apps.get_model("monitoring", "Notification")
    rows = Notification.objects.filter(message_key="").only("pk", "text").order_by("pk")
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        recovered = recover_message(row.text, settings.LANGUAGE_CODE)
        if recovered is None:
            continue
        row.message_key, row.arguments = recovered
        changed.append(row)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["message_key", "arguments"])
            changed = []
    if changed:
        Notification.objects.bulk_update(changed, ["message_key", "arguments"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0015_alert_event_notification_names")]

    operations = [migrations.RunPython(recover_keys, migrations.RunPython.noop, elidable=True)]
