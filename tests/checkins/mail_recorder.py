"""An e-mail backend for worker processes: appends the reminder id of each message to the
file named by MAIL_LOG. With HANG_AFTER=n, the (n+1)th message is never written: the backend
notes it in MAIL_LOG.hang and sleeps, so the test can kill the worker at that exact point."""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend

from checkins.emails import reminder_of

_sent = 0


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        global _sent
        path = os.environ["MAIL_LOG"]
        hang_after = int(os.environ.get("HANG_AFTER", "-1"))
        for message in messages:
            if _sent == hang_after:
                with open(path + ".hang", "a") as marker:
                    marker.write(f"{reminder_of(message)}\n")
                time.sleep(120)
            # O_APPEND writes of one short line are atomic across processes.
            with open(path, "a") as log:
                log.write(f"{reminder_of(message)}\n")
            _sent += 1
        return len(messages)
