"""Sending what common.mail wrote to the outbox: claim due rows, one SMTP connection.

Delivery is at-least-once, never at-most-once: a row is claimed under a row lock
(select_for_update(skip_locked=True)), sent, and marked sent_at in the same transaction
as the claim, which commits after the batch. Two drains never claim the same row, and a
row marked sent is never claimed again, so a message is not sent twice in any ordinary
run. Only a crash after the relay accepted a message and before the batch committed
sends it again on the next drain: a duplicate e-mail is the lesser harm than one lost.

A message that failed TELEFONI_OUTBOX_MAX_ATTEMPTS times is given up (failed_at, logged
as an error, shown by /healthz and in the admin, where "send again" queues it anew). A
sent message keeps no subject and no text (they may name a caller, DIR-5, or a protected
person); purge() deletes sent rows after TELEFONI_OUTBOX_KEEP_DAYS and given-up rows
after FAILED_KEEP_DAYS.
"""

import logging
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from common.models import OutboxMessage

log = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF_MINUTES = 60
FAILED_KEEP_DAYS = 30


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def send_due() -> int:
    """Send every unsent message that is due now over one SMTP connection; return how many
    went. A failed message keeps sent_at empty, records attempts and last_error and waits
    backoff(attempts) before it is due again."""
    sent = 0
    connection = get_connection()
    # Opened once here: the SMTP backend opens and closes one connection per send when
    # the caller did not open it.
    refused: Exception | None = None
    try:
        connection.open()
    except Exception as error:  # the relay is down: every due row records it and waits
        refused = error
    try:
        while True:
            with transaction.atomic():
                batch = list(
                    OutboxMessage.objects.select_for_update(skip_locked=True)
                    .filter(
                        sent_at__isnull=True,
                        failed_at__isnull=True,
                        next_attempt_at__lte=timezone.now(),
                    )
                    .order_by("next_attempt_at", "pk")[:BATCH]
                )
                if not batch:
                    return sent
                for message in batch:
                    sent += _send_one(message, connection, refused)
    finally:
        connection.close()


def _send_one(
    message: OutboxMessage, connection: BaseEmailBackend, refused: Exception | None
) -> int:
    try:
        if refused is not None:
            raise refused
        EmailMessage(
            message.subject, message.body, None, message.recipients, connection=connection
        ).send()
    except Exception as error:  # any failure of the relay: keep the row, try again later
        now = timezone.now()
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:1000]
        message.next_attempt_at = now + backoff(message.attempts)
        if message.attempts >= settings.TELEFONI_OUTBOX_MAX_ATTEMPTS:
            message.failed_at = now
        message.save(update_fields=["attempts", "last_error", "next_attempt_at", "failed_at"])
        log.log(
            logging.ERROR if message.failed_at else logging.WARNING,
            "Outbox message %s not sent (attempt %s%s): %s",
            message.pk,
            message.attempts,
            ", given up" if message.failed_at else "",
            message.last_error,
        )
        return 0
    message.attempts += 1
    message.sent_at = timezone.now()
    message.subject = message.body = ""
    message.save(update_fields=["attempts", "sent_at", "subject", "body"])
    return 1


def send_again(messages) -> int:
    """Make the given-up or waiting `messages` (a queryset of unsent rows) due now with a
    fresh count of attempts; return how many. The caller queues a drain."""
    return messages.filter(sent_at__isnull=True).update(
        failed_at=None, attempts=0, last_error="", next_attempt_at=timezone.now()
    )


def purge(now=None) -> int:
    """Delete sent rows older than TELEFONI_OUTBOX_KEEP_DAYS and given-up rows older than
    FAILED_KEEP_DAYS; return how many went."""
    now = now or timezone.now()
    sent = OutboxMessage.objects.filter(
        sent_at__lt=now - timedelta(days=settings.TELEFONI_OUTBOX_KEEP_DAYS)
    )
    failed = OutboxMessage.objects.filter(
        sent_at__isnull=True, failed_at__lt=now - timedelta(days=FAILED_KEEP_DAYS)
    )
    return sent.delete()[0] + failed.delete()[0]


class State(NamedTuple):
    failed: int
    oldest_waiting_seconds: int | None


def state(now=None) -> State:
    """What /healthz reports of the outbox: given-up messages and the age of the oldest
    one still waiting (seconds; None when nothing waits)."""
    now = now or timezone.now()
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    return State(
        failed=OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=False).count(),
        oldest_waiting_seconds=None if oldest is None else int((now - oldest).total_seconds()),
    )
