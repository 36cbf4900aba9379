"""The picker of an itemised statement's phone (COST-3, common.pickers): the phones of the
budget-responsible manager's own cost centres."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from common import pickers
from common.http import require
from subscriptions.models import Subscription
from subscriptions.pickers import PHONE

from . import selectors
from .permissions import may_request_statements


def _statement_phones(request: HttpRequest) -> QuerySet[Subscription]:
    require(may_request_statements(request.user))
    return selectors.requestable_subscriptions(request.user)


pickers.register("statement-phone", kind=PHONE, rows=_statement_phones)
