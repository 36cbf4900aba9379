"""E-mail that leaves only when the change that causes it is committed."""

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction


def mail_on_commit(addresses: Iterable[str], subject: str, body: str) -> None:
    """Send one e-mail to the distinct non-empty `addresses` after the transaction commits
    (nothing is sent on a rollback; no e-mail at all when no address is left)."""
    recipients = sorted({address for address in addresses if address})
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
