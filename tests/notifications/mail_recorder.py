"""An e-mail backend for worker processes: appends "<notification id> <Message-ID>" for each
message it sends to the file named by MAIL_LOG.

HANG_AFTER=n: the (n+1)th message is written to MAIL_LOG (delivered), then the backend notes
its id in MAIL_LOG.hang and sleeps, so a test can kill the worker after a delivery and before
its "sent" mark. PAUSE_AT=n: before writing the (n+1)th message the backend notes its id in
MAIL_LOG.pause and waits for MAIL_LOG.go, so a test can act while a batch is being sent.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from notifications.services import notification_of

_sent = 0


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        global _sent
        path = os.environ["MAIL_LOG"]
        hang_after = int(os.environ.get("HANG_AFTER", "-1"))
        pause_at = int(os.environ.get("PAUSE_AT", "-1"))
        for message in messages:
            pk = notification_of(message)
            if _sent == pause_at:
                Path(path + ".pause").write_text(f"{pk}\n")
                while not Path(path + ".go").exists():
                    time.sleep(0.05)
            # O_APPEND writes of one short line are atomic across processes.
            with open(path, "a") as log:
                log.write(f"{pk} {message.extra_headers['Message-ID']}\n")
            if _sent == hang_after:
                Path(path + ".hang").write_text(f"{pk}\n")
                time.sleep(120)
            _sent += 1
        return len(messages)
