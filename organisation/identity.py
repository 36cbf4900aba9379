"""ORG-4: how a person or a phone is shown to a user, asked one way by every output.

The circle (who may see a protected identity) is `permissions.in_identity_circle`. Every
page, export, PDF, picker, e-mail to others and API answer that names a person or a phone
shows it through these helpers: outside the circle a protected person is "Skyddad
identitet", with no name, no number and no extension; a hänvisning that leads to such a
person's phone says "en kollega". The row itself stays, so a telesamordnare or a budget
manager can still act on the phone (barring, inventory, costs).

Works on any object with `holder` / `holder_id` and `number` / `extension` (a
subscription), without importing the apps above organisation.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from common.users import AnyUser

from .models import Person
from .numbers import format_number
from .permissions import in_identity_circle

PROTECTED = _("Protected identity")
A_COLLEAGUE = _("a colleague")


def is_hidden(user: AnyUser | None, person: Person | None) -> bool:
    """True when `person` is a protected identity that `user` is outside the circle of.
    A user of None is nobody's circle (an API answer, an e-mail to someone else)."""
    if not person or not person.protected_identity:
        return False
    return user is None or not in_identity_circle(user, person)


def holder_of(subscription: Any) -> Person | None:
    return subscription.holder if getattr(subscription, "holder_id", None) else None


def phone_is_hidden(user: AnyUser | None, subscription: Any) -> bool:
    """A phone is hidden when its holder is (function phones never are)."""
    return subscription is not None and is_hidden(user, holder_of(subscription))


def person_name(user: AnyUser | None, person: Person | None) -> str:
    """The full name, or "Skyddad identitet" outside the circle ("" for no person)."""
    if not person:  # None, or "" from a template's missing relation
        return ""
    return str(PROTECTED) if is_hidden(user, person) else person.full_name


def owner_name(user: AnyUser | None, obj: Any) -> str:
    """Who holds a phone or a device: the holder's name ("Skyddad identitet" outside the
    circle), else its function name."""
    holder = holder_of(obj)
    return person_name(user, holder) if holder is not None else obj.function_name


def named_person(obj: Any) -> Person | None:
    """The person an object of any app names, by duck typing (compliance and the other
    lower layers know objects only generically): a Person, a phone's or device's holder,
    the holder of the phone an object is about (a month's cost, a SIM, a review row, a
    hänvisning), a trip's person, a callback's recipient."""
    if isinstance(obj, Person):
        return obj
    for attribute in ("holder", "person", "recipient"):
        if getattr(obj, f"{attribute}_id", None):
            return getattr(obj, attribute)
    subscription = (
        getattr(obj, "subscription", None) if getattr(obj, "subscription_id", None) else None
    )
    return holder_of(subscription) if subscription is not None else None


def object_label(user: AnyUser | None, obj: Any) -> str:
    """str(obj), or "Skyddad identitet" when it names a person hidden from `user`."""
    return str(PROTECTED) if is_hidden(user, named_person(obj)) else str(obj)


def phone_number(user: AnyUser | None, subscription: Any) -> str:
    """The number the Swedish way, or "" outside the circle."""
    if subscription is None or phone_is_hidden(user, subscription):
        return ""
    return format_number(subscription.number)


def phone_extension(user: AnyUser | None, subscription: Any) -> str:
    if subscription is None or phone_is_hidden(user, subscription):
        return ""
    return subscription.extension or ""


def phone_label(user: AnyUser | None, subscription: Any) -> str:
    """The phone as a subscription's str() (number and owner), or "Skyddad identitet"."""
    if subscription is None:
        return ""
    return str(PROTECTED) if phone_is_hidden(user, subscription) else str(subscription)


def target_label(user: AnyUser | None, subscription: Any) -> str:
    """Where a hänvisning leads: the phone, or "en kollega" outside the target's circle."""
    if subscription is None:
        return ""
    return str(A_COLLEAGUE) if phone_is_hidden(user, subscription) else str(subscription)
