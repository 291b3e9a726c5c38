"""Mail backends that fail as a mail server does, for the e-mail retry tests.

`FlakyBackend` fails its class's `failures` sends with `error`, then delivers to Django's locmem
outbox. `FileFlakyBackend` does the same across processes (a real worker): it counts its failures
and writes what it sends in the folder named by DIXIAN_TEST_MAIL_DIR.
"""

import os
import smtplib
from pathlib import Path

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise type(self).error
        return super().send_messages(messages)


class FileFlakyBackend(LocmemBackend):
    """Fails the first DIXIAN_TEST_MAIL_FAILURES sends, then writes each message to a file."""

    def send_messages(self, messages):
        folder = Path(os.environ["DIXIAN_TEST_MAIL_DIR"])
        failures = int(os.environ.get("DIXIAN_TEST_MAIL_FAILURES", "0"))
        failed = len(list(folder.glob("failed-*")))
        if failed < failures:
            (folder / f"failed-{failed}").write_text("421")
            raise smtplib.SMTPConnectError(421, b"Service not available, try again later")
        for message in messages:
            sent = len(list(folder.glob("sent-*")))
            (folder / f"sent-{sent}").write_text(message.body)
        return len(messages)
