"""E-mail written in the transaction of the change that causes it, sent after the commit.

The message is a row of the outbox (common.models.OutboxMessage) in the caller's
transaction: a rollback leaves none, a commit keeps it until it went. After the commit
the task common.tasks.send_outbox is queued; when the broker or the relay is down the
row waits, and beat drains the outbox every minute (docs/operations.md).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

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


def render_mail(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The subject and the body of the e-mail `template`: the templates
    "<template>_subject.txt" and "<template>.txt", rendered in the site's language
    (LANGUAGE_CODE: a task has no request, and the reader is Swedish)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", dict(context))
        body = render_to_string(f"{template}.txt", dict(context))
    return subject, body


def mail_template_on_commit(
    addresses: Iterable[str], template: str, context: Mapping[str, Any]
) -> None:
    """mail_on_commit with the subject and body of render_mail(template, context)."""
    subject, body = render_mail(template, context)
    mail_on_commit(addresses, subject, body)
