"""Who may do what: roles come from groups (LDAP-mapped), scope from the organisation.

Pure predicates `can_<verb>_<thing>(user, obj) -> bool`. The few reads they need (the
units a manager heads) are cached on the user object for the request.
"""

from typing import Protocol

from django.db.models import Q

from common.roles import Role, is_service_desk, is_service_desk_or_admin, roles_of
from common.users import AnyUser

from .models import CostCentre, Person, Unit


class ResponsibleInUnit(Protocol):
    """An object with a responsible person in a unit (a compliance flag)."""

    responsible_id: int | None
    unit: Unit


def person_of(user: AnyUser) -> Person | None:
    """The Person linked to a user, or None (an LDAP user with no matching unit, say)."""
    if not getattr(user, "is_authenticated", False):
        return None
    # RelatedObjectDoesNotExist is an AttributeError, so getattr's default covers it.
    return getattr(user, "person", None)


def _headed_paths(user: AnyUser) -> tuple[str, ...]:
    """Paths of the units whose manager is this user's person (cached per user object)."""
    cached: tuple[str, ...] | None = getattr(user, "_telefoni_headed_paths", None)
    if cached is None:
        person = person_of(user)
        cached = tuple(person.managed_units.values_list("path", flat=True)) if person else ()
        user._telefoni_headed_paths = cached  # type: ignore[union-attr]  # a per-request cache
    return cached


def is_manager_of_unit(user: AnyUser, unit: Unit) -> bool:
    """Enhetschef for this unit or one above it (own unit and below)."""
    if Role.ENHETSCHEF not in roles_of(user):
        return False
    return any(unit.path.startswith(path) for path in _headed_paths(user))


def is_forvaltningschef_of(user: AnyUser, unit: Unit) -> bool:
    if Role.FORVALTNINGSCHEF not in roles_of(user):
        return False
    return f"/{unit.forvaltning_id}/" in _headed_paths(user)


def is_telesamordnare_of(user: AnyUser, unit: Unit) -> bool:
    """Telesamordnare of the unit's förvaltning (own förvaltning)."""
    if Role.TELESAMORDNARE not in roles_of(user):
        return False
    cached: frozenset[int] | None = getattr(user, "_telefoni_coordinated_forvaltningar", None)
    if cached is None:
        person = person_of(user)
        cached = (
            frozenset(person.coordinated_units.values_list("forvaltning_id", flat=True))
            if person
            else frozenset()
        )
        user._telefoni_coordinated_forvaltningar = cached  # type: ignore[union-attr]  # a per-request cache
    return unit.forvaltning_id in cached


def is_budget_manager_of(user: AnyUser, cost_centre: CostCentre) -> bool:
    if Role.BUDGETCHEF not in roles_of(user):
        return False
    person = person_of(user)
    return person is not None and cost_centre.budget_manager_id == person.pk


def can_create_unit(user: AnyUser, parent: Unit | None) -> bool:
    """ORG-1: Tele kundtjänst anywhere; a förvaltningschef below their own förvaltning."""
    if is_service_desk_or_admin(user):
        return True
    return parent is not None and is_forvaltningschef_of(user, parent)


def can_rename_unit(user: AnyUser, unit: Unit) -> bool:
    """ORG-1: Tele kundtjänst, or the förvaltningschef of the unit's förvaltning."""
    return is_service_desk_or_admin(user) or is_forvaltningschef_of(user, unit)


def can_edit_unit_readiness(user: AnyUser, unit: Unit) -> bool:
    """ORG-3: reserve plan and training record; the unit's own managers and the desk."""
    return (
        is_service_desk_or_admin(user)
        or is_forvaltningschef_of(user, unit)
        or is_manager_of_unit(user, unit)
    )


def can_assign_telesamordnare(user: AnyUser, unit: Unit) -> bool:
    """ORG-2: who names a unit's telesamordnare."""
    return is_service_desk_or_admin(user) or is_forvaltningschef_of(user, unit)


def in_identity_circle(user: AnyUser, person: Person) -> bool:
    """ORG-4, the one place that says who may see a protected identity: the person,
    their managers (the enhetschef of their unit or one above it, the förvaltningschef)
    and Tele kundtjänst. Not the systemadministratör, not a telesamordnare or a budget
    manager: where they act on such a person's phone they see "Skyddad identitet"
    (organisation.identity). Every output asks this, through organisation.identity."""
    own = person_of(user)
    if own is not None and own.pk == person.pk:
        return True
    return (
        is_service_desk(user)
        or is_manager_of_unit(user, person.unit)
        or is_forvaltningschef_of(user, person.unit)
    )


def identity_circle_q(user: AnyUser, prefix: str = "") -> Q:
    """The set-based twin of in_identity_circle, for a queryset of people (or of rows
    naming one through `prefix`, e.g. "holder__"): every person without protected
    identity, and the protected ones in the user's circle."""
    if is_service_desk(user):
        return Q()
    visible = Q(**{f"{prefix}protected_identity": False})
    own = person_of(user)
    if own is not None:
        visible |= Q(**{f"{prefix}pk": own.pk})
    roles = roles_of(user)
    for path in _headed_paths(user):
        # A förvaltningschef heads a förvaltning ("/<id>/"); an enhetschef any unit.
        is_forvaltning = path.count("/") == 2
        if Role.ENHETSCHEF in roles or (is_forvaltning and Role.FORVALTNINGSCHEF in roles):
            visible |= Q(**{f"{prefix}unit__path__startswith": path})
    return visible


def can_view_person(user: AnyUser, person: Person) -> bool:
    """DIR-3: everyone signed in; ORG-4: a protected identity only for its circle."""
    return not person.protected_identity or in_identity_circle(user, person)


def can_mark_person_left(user: AnyUser, person: Person) -> bool:
    """X-3: Tele kundtjänst marks a person as left (the directory does it nightly)."""
    return is_service_desk_or_admin(user)


def can_view_flag(user: AnyUser, flag: ResponsibleInUnit) -> bool:
    own = person_of(user)
    if own is not None and flag.responsible_id == own.pk:
        return True
    return (
        is_service_desk_or_admin(user)
        or is_manager_of_unit(user, flag.unit)
        or is_forvaltningschef_of(user, flag.unit)
    )


def can_manage_cost_centres(user: AnyUser) -> bool:
    """Tele kundtjänst keeps the cost centres and their budget-responsible managers
    (the register of what is invoiced where); the systemadministratör does so in the admin."""
    return is_service_desk(user)


# --- ORG-1: the organisation file and moving or closing units --------------------------


def headed_forvaltning_ids(user: AnyUser) -> list[int]:
    """The förvaltningar this user heads as förvaltningschef (from the cached paths)."""
    if Role.FORVALTNINGSCHEF not in roles_of(user):
        return []
    return [int(path.strip("/")) for path in _headed_paths(user) if path.count("/") == 2]


def can_upload_org_file(user: AnyUser) -> bool:
    """ORG-1: Tele kundtjänst for the whole municipality; a förvaltningschef for their
    own förvaltning (the changes inside it)."""
    return is_service_desk_or_admin(user) or bool(headed_forvaltning_ids(user))


class ScopedChangeSet(Protocol):
    scope_id: int | None


def can_view_change_set(user: AnyUser, change_set: ScopedChangeSet) -> bool:
    if is_service_desk_or_admin(user):
        return True
    return change_set.scope_id is not None and change_set.scope_id in headed_forvaltning_ids(user)


def can_decide_change_set(user: AnyUser, change_set: ScopedChangeSet) -> bool:
    """Apply or discard: whoever may see it (the scope decides what it changes)."""
    return can_view_change_set(user, change_set)


def can_move_unit(user: AnyUser, unit: Unit) -> bool:
    """ORG-1: "Flytta enheten", Tele kundtjänst (a move may cross förvaltningar)."""
    return is_service_desk_or_admin(user) and unit.closed_on is None


def can_close_unit(user: AnyUser, unit: Unit) -> bool:
    """ORG-1: closing a unit, Tele kundtjänst or the förvaltningschef of its förvaltning
    (a förvaltning itself only Tele kundtjänst)."""
    if unit.closed_on is not None:
        return False
    if is_service_desk_or_admin(user):
        return True
    return not unit.is_forvaltning and is_forvaltningschef_of(user, unit)


def can_sync_directory(user: AnyUser) -> bool:
    """Issue 17: "Synka nu" and the runs' reports are Tele kundtjänst's (the reports name
    directory entries, protected identities too)."""
    return is_service_desk(user)
