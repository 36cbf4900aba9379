"""Who may set and end hänvisningar (ABS-1, ABS-3), register trips (ABS-6) and record a
unit's hours (SRV-1). Pure predicates."""

from common.users import AnyUser
from organisation.models import Person, Unit
from organisation.permissions import (
    can_edit_unit_readiness,
    is_forvaltningschef_of,
    is_manager_of_unit,
    person_of,
)

from .models import Redirect


def is_self(user: AnyUser, person: Person) -> bool:
    own = person_of(user)
    return own is not None and own.pk == person.pk


def can_set_own_redirect(user: AnyUser, person: Person) -> bool:
    """ABS-1: the holder sets their own hänvisning and medflyttning."""
    return is_self(user, person)


def can_set_sick_redirect(user: AnyUser, person: Person) -> bool:
    """ABS-3: the sick employee's manager (of their unit or above) and nobody else."""
    if is_self(user, person):
        return False
    return is_manager_of_unit(user, person.unit) or is_forvaltningschef_of(user, person.unit)


def can_end_redirect(user: AnyUser, redirect: Redirect) -> bool:
    """The holder of the phone, or the manager who may set one for them (ABS-3)."""
    holder = redirect.subscription.holder
    if holder is None:
        return False
    return is_self(user, holder) or can_set_sick_redirect(user, holder)


def can_register_trip(user: AnyUser, person: Person) -> bool:
    """ABS-6: the holder registers their own trips."""
    return is_self(user, person)


def can_edit_unit_hours(user: AnyUser, unit: Unit) -> bool:
    """SRV-1 and the working day: the unit's managers and Tele kundtjänst (as ORG-3)."""
    return can_edit_unit_readiness(user, unit)
