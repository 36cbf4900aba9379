"""The pickers of the citizen-service forms (common.pickers): for whom a message is
taken (SRV-2), and a phone note's unit (the organisation's "unit" source)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from common import pickers
from organisation.models import Person
from organisation.pickers import PERSON

from . import selectors


def _recipients(request: HttpRequest) -> QuerySet[Person]:
    # Anyone signed in takes a message (Kundtjänst, or a colleague who answers).
    return selectors.recipients_for(request.user)


pickers.register("recipient", kind=PERSON, rows=_recipients)
