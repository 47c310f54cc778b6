"""Settings for the Celery worker processes the reminder guarantee tests start.

The project's settings, plus an e-mail backend that records each reminder it sends to a file
the test reads (and can hang on purpose, so a test can kill the worker mid-batch), and small
batches so that several workers share the work.
"""

from mentorship.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.checkins.mail_recorder.RecordingBackend"
CHECKINS_REMINDER_BATCH = 20
