"""Who may do what with directory entries and change requests (DIR-4), and who changes a
subscription's barring (BAR-2: devices has the form, costs and telesök link to it).

Pure predicates `can_<verb>_<thing>(user, obj) -> bool`, built on organisation.permissions.
"""

from common.roles import is_service_desk
from common.users import AnyUser
from organisation.models import Person
from organisation.permissions import (
    is_budget_manager_of,
    is_forvaltningschef_of,
    is_manager_of_unit,
    is_telesamordnare_of,
    person_of,
)
from subscriptions.choices import Status
from subscriptions.models import Subscription


def _is_self(user: AnyUser, person: Person) -> bool:
    own = person_of(user)
    return own is not None and own.pk == person.pk


def can_handle_change_requests(user: AnyUser) -> bool:
    """The queue: apply and reject change requests. Tele kundtjänst only: the queue names
    protected identities and their entries (ORG-4), which the systemadministratör does
    not read (issue 16.4)."""
    return is_service_desk(user)


def can_request_entry_change(user: AnyUser, person: Person) -> bool:
    """DIR-4: the holder reports changes of their own entry, and nobody else's."""
    return _is_self(user, person)


def can_edit_entry(user: AnyUser, person: Person) -> bool:
    """Tele kundtjänst edits any entry directly, without a request."""
    return is_service_desk(user)


def can_view_entry_history(user: AnyUser, person: Person) -> bool:
    """Who, when and what of an entry: the person, their managers, Tele kundtjänst."""
    return (
        _is_self(user, person)
        or is_service_desk(user)
        or is_manager_of_unit(user, person.unit)
        or is_forvaltningschef_of(user, person.unit)
    )


def can_change_barring(user: AnyUser, subscription: Subscription) -> bool:
    """BAR-2: only the cost centre's budget-responsible manager or the förvaltning's
    telesamordnare. Every page that links "Ändra spärrar" asks this, so a link is shown
    exactly where the form opens (issue 19.8)."""
    return is_budget_manager_of(user, subscription.cost_centre) or is_telesamordnare_of(
        user, subscription.unit
    )


def can_end_subscription(user: AnyUser, subscription: Subscription) -> bool:
    """SUB-5, X-3: "Säg upp" and "Lämna över". The manager of its unit (or one above),
    the budget-responsible manager of its cost centre, a telesamordnare of its
    förvaltning and Tele kundtjänst; not the systemadministratör (who does not run the
    register). A cancelled subscription has nothing left to end."""
    if subscription.status == Status.CANCELLED:
        return False
    return (
        is_service_desk(user)
        or is_manager_of_unit(user, subscription.unit)
        or is_budget_manager_of(user, subscription.cost_centre)
        or is_telesamordnare_of(user, subscription.unit)
    )


def can_hand_over_subscription(user: AnyUser, subscription: Subscription) -> bool:
    """X-3: a personal phone only (a function phone belongs to its unit)."""
    return subscription.holder_id is not None and can_end_subscription(user, subscription)


def can_view_subscription(user: AnyUser, subscription: Subscription) -> bool:
    """The subscription's page: whoever may end it or change its barring, the holder,
    and the förvaltningschef of its unit."""
    own = person_of(user)
    return (
        can_end_subscription(user, subscription)
        or can_change_barring(user, subscription)
        or (own is not None and own.pk == subscription.holder_id)
        or is_forvaltningschef_of(user, subscription.unit)
        or is_manager_of_unit(user, subscription.unit)
        or is_service_desk(user)
    )


def can_request_mover_cost_centre(user: AnyUser, subscription: Subscription) -> bool:
    """DEV-4: the telesamordnare of the holder's (new) förvaltning, or Tele kundtjänst,
    asks for a mover's phone to follow them to the new cost centre."""
    holder = subscription.holder
    if holder is None:
        return False
    return is_service_desk(user) or is_telesamordnare_of(user, holder.unit)
