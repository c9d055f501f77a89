"""The reminders and digests already sent (review.ReminderSent, keyed on the user) become rows of
the one "sent once" log (jobs.SentMail, keyed on the purpose and the address), under the keys
review.reminders now uses, so that no reminder sent before the upgrade is sent again after it.
The time each was sent is kept (the digest reads "since the previous one" from it)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# ReminderSent.kind → the key's prefix in SentMail; the old key ("<period>:<library>" or
# "<network>:<day>") follows it unchanged (review.reminders.reminder_key / digest_key).
PREFIX = {"before": "review-reminder:before:", "deadline": "review-reminder:deadline:", "digest": "review-digest:"}


def forwards(apps: Any, schema_editor: Any) -> None:
    ReminderSent = apps.get_model("review", "ReminderSent")
    SentMail = apps.get_model("jobs", "SentMail")
    rows = ReminderSent.objects.select_related("recipient").order_by("pk").iterator(chunk_size=500)
    for old in rows:
        address = (old.recipient.email or "").strip().lower()
        if not address or old.kind not in PREFIX:
            continue
        key = PREFIX[old.kind] + old.key
        # sent_at is auto_now_add: create the row, then give it back the time it was really sent.
        SentMail.objects.get_or_create(key=key, address=address)
        SentMail.objects.filter(key=key, address=address).update(sent_at=old.sent_at)


def backwards(apps: Any, schema_editor: Any) -> None:
    """Back to ReminderSent for the addresses that still belong to an account."""
    ReminderSent = apps.get_model("review", "ReminderSent")
    SentMail = apps.get_model("jobs", "SentMail")
    User = apps.get_model("accounts", "User")
    users = {u.email.strip().lower(): u for u in User.objects.exclude(email="")}
    for kind, prefix in PREFIX.items():
        for row in SentMail.objects.filter(key__startswith=prefix):
            user = users.get(row.address)
            if user is None:
                continue
            ReminderSent.objects.get_or_create(kind=kind, recipient=user, key=row.key[len(prefix) :])
            ReminderSent.objects.filter(kind=kind, recipient=user, key=row.key[len(prefix) :]).update(
                sent_at=row.sent_at
            )
        SentMail.objects.filter(key__startswith=prefix).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_hostile_text_limits"),
        ("jobs", "0002_sent_mail"),
        ("accounts", "__first__"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
