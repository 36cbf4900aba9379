"""Who sees which part of the compliance dashboard (X-2).

An enhetschef sees the units they head and everything below, a förvaltningschef their
förvaltning, Tele kundtjänst (and the system administrator) the whole municipality.
"""

from typing import Final, Literal

from common.roles import Role, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from organisation.models import Unit
from organisation.permissions import _headed_paths

# The whole municipality.
ALL: Final = "all"

Scope = Literal["all"] | tuple[str, ...]


def dashboard_scope(user: AnyUser) -> Scope:
    """ALL, a tuple of unit paths (each covering the units below it), or () for none."""
    roles = roles_of(user)
    if is_service_desk_or_admin(user):
        return ALL
    paths = []
    headed = _headed_paths(user) if roles & {Role.ENHETSCHEF, Role.FORVALTNINGSCHEF} else ()
    for path in headed:
        is_forvaltning = path.count("/") == 2
        if Role.ENHETSCHEF in roles or (Role.FORVALTNINGSCHEF in roles and is_forvaltning):
            paths.append(path)
    # A unit inside another unit of the scope adds nothing.
    return tuple(sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths)))


def can_view_dashboard(user: AnyUser) -> bool:
    return bool(dashboard_scope(user))


def can_view_unit_dashboard(user: AnyUser, unit: Unit) -> bool:
    scope = dashboard_scope(user)
    if scope == ALL:
        return True
    return any(unit.path.startswith(path) for path in scope)
