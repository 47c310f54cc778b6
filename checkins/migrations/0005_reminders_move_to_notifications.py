"""Reminders move to the one outbox (notifications.Notification), pending rows included.

Every row is carried over with its id, state, attempts and times, so what was pending or
claimed is sent by the outbox exactly as it would have been, failed rows stay visible to
coordinators with their retry, and the history of sent ones stays. Kinds get their
registered names; a crisis row points to its alert (the outbox asks the alert, not the
check-in, whether it is still wanted); a questionnaire-due row keeps its date and link in
`data`. The id sequence moves past the copied ids.
"""

from django.db import migrations

COPY = """
INSERT INTO notifications_notification (
    id, kind, program_id, recipient_id, about_id, topic, for_time, data, due_at,
    available_at, status, claim_token, attempts, last_error, sent_at, created_at
)
SELECT
    r.id,
    CASE WHEN r.kind = 'assessment_due' THEN 'outcomes.assessment_due'
         ELSE 'checkins.' || r.kind END,
    COALESCE(r.program_id, c.program_id),
    r.recipient_id,
    CASE WHEN r.kind = 'crisis' THEN (
             SELECT a.id FROM checkins_alert a
             WHERE a.checkin_id = r.checkin_id AND a.kind = 'crisis'
             ORDER BY a.raised_at DESC LIMIT 1)
         ELSE r.checkin_id END,
    r.topic,
    r.for_time,
    CASE WHEN r.kind = 'assessment_due'
         THEN jsonb_build_object('due_on', r.due_on::text, 'path', r.link_path)
         ELSE '{}'::jsonb END,
    r.due_at,
    r.available_at,
    r.status,
    r.claim_token,
    r.attempts,
    r.last_error,
    r.sent_at,
    r.created_at
FROM checkins_reminder r
LEFT JOIN checkins_checkin c ON c.id = r.checkin_id;

SELECT setval(
    pg_get_serial_sequence('notifications_notification', 'id'),
    GREATEST((SELECT MAX(id) FROM notifications_notification), 1)
);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0004_checkin_updated_at"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(COPY, reverse_sql=migrations.RunSQL.noop),
        migrations.DeleteModel(name="Reminder"),
    ]
