"""E-mail written in the transaction of the change that causes it, sent after the commit.

The message is a row of the outbox (common.models.OutboxMessage) in the caller's
transaction: a rollback leaves none, a commit keeps it until it went. After the commit
the task common.tasks.send_outbox is queued; when the broker or the relay is down the
row waits, and beat drains the outbox every minute (docs/operations.md).
"""

from collections.abc import Iterable

from django.db import transaction

from common import tasks
from common.models import OutboxMessage


def queue_drain() -> None:
    """Ask a worker to drain the outbox now (logged, never raised, when the broker is down)."""
    tasks.queue("common.tasks.send_outbox")


def mail_on_commit(addresses: Iterable[str], subject: str, body: str) -> None:
    """Write one e-mail to the distinct non-empty `addresses` to the outbox and have it sent
    after the transaction commits (nothing is sent on a rollback; no e-mail at all when no
    address is left)."""
    recipients = sorted({address for address in addresses if address})
    if recipients:
        OutboxMessage.objects.create(
            recipients=recipients, subject=" ".join(subject.split()), body=body
        )
        transaction.on_commit(lambda: queue_drain())
