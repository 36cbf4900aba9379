"""The picker of the phone a manager approves a voicemail box for (VM-1, common.pickers)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from common import pickers
from common.http import require
from organisation.models import Unit
from subscriptions.models import Subscription
from subscriptions.pickers import PHONE

from . import permissions, selectors


def _approvable(request: HttpRequest) -> QuerySet[Subscription]:
    unit = get_object_or_404(Unit, pk=pickers.param_id(request, "unit"))
    require(permissions.is_unit_manager(request.user, unit))
    return selectors.approvable_for(request.user, unit)


pickers.register("approve-phone", kind=PHONE, rows=_approvable, params=["unit"])
