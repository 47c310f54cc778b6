"""Settings for the Celery worker processes the outbox guarantee tests start: the project's,
plus an e-mail backend that records each message to a file the test reads (and can hang or
pause on purpose), and small batches so that several workers and batches share the work."""

from mentorship.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.notifications.mail_recorder.RecordingBackend"
NOTIFICATIONS_BATCH = 8
