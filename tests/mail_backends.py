"""E-mail backends for tests of the outbox (common.outbox): a relay that is down, and one
that counts the connections a drain opens."""

import time

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend


class RelayDown(BaseEmailBackend):
    """Every connection is refused, as by an SMTP relay that is down."""

    def open(self):
        raise ConnectionRefusedError("relay down")

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("relay down")


class CountingBackend(EmailBackend):
    """locmem (mail.outbox) that records every connection made and opened."""

    made = 0
    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).made += 1

    def open(self):
        type(self).opened += 1
        return True


class SlowBackend(EmailBackend):
    """locmem that takes a moment per message, so two drains overlap."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)
