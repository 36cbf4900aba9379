"""The start page's inbox (issue 19.1): everything that waits for the signed-in person,
gathered from every app's `waiting_for` selector. Only the roof imports every app, so the
gathering is here (docs/architecture.md).

Each selector names what of its app waits for the user's roles (common.inbox.Source),
without a query; common.inbox.answer counts them all in one query whatever the data size.
It is computed once per request: the navigation's count and the start page share it.
"""

from django.http import HttpRequest

from common.inbox import Waiting, answer
from compliance import selectors as compliance_selectors
from costs import selectors as costs_selectors
from devices import selectors as devices_selectors
from organisation.permissions import person_of
from review import selectors as review_selectors
from service import selectors as service_selectors
from subscriptions import selectors as subscriptions_selectors
from voicemail import selectors as voicemail_selectors


def inbox(request: HttpRequest) -> list[Waiting]:
    """What waits for request.user, the oldest first; [] for an anonymous user."""
    cached: list[Waiting] | None = getattr(request, "_telefoni_inbox", None)
    if cached is None:
        user = request.user
        cached = []
        if user.is_authenticated:
            cached = answer(
                [
                    *compliance_selectors.waiting_flags_for(person_of(user)),
                    *subscriptions_selectors.waiting_for(user),
                    *costs_selectors.waiting_for(user),
                    *devices_selectors.waiting_for(user),
                    *review_selectors.waiting_for(user),
                    *service_selectors.waiting_for(user),
                    *voicemail_selectors.waiting_for(user),
                ]
            )
        request._telefoni_inbox = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached


def inbox_count(request: HttpRequest) -> int:
    """How many things wait, for the navigation's "Start (4)"."""
    return sum(item.count for item in inbox(request))
