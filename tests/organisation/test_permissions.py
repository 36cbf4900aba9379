"""Role x scope matrix for every predicate in organisation.permissions (ORG-1..ORG-4)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from common.roles import Role
from organisation import permissions
from tests.factories import PersonFactory

# unit keys: grupp (below the manager's unit), hemtjanst (manager's own), vof (the förvaltning),
# bibliotek (another förvaltning).
RENAME = {
    "employee": set(),
    "colleague": set(),
    "manager": set(),
    "forvaltningschef": {"grupp", "hemtjanst", "vof"},
    "budgetchef": set(),
    "outsider": set(),
    "telesamordnare_other": set(),
    "telekundtjanst": {"grupp", "hemtjanst", "vof", "bibliotek"},
    "kundtjanst": set(),
    "ksordforande": set(),
    "admin": {"grupp", "hemtjanst", "vof", "bibliotek"},
}
READINESS = {
    **RENAME,
    "manager": {"grupp", "hemtjanst"},
}
UNITS = ("grupp", "hemtjanst", "vof", "bibliotek")


def _cases(table):
    return [(who, unit, unit in allowed) for who, allowed in table.items() for unit in UNITS]


@pytest.mark.parametrize("who, unit, expected", _cases(RENAME))
def test_org_1_rename_and_create_units(world, who, unit, expected):
    user = world.people[who].user
    target = getattr(world, unit)
    assert permissions.can_rename_unit(user, target) is expected
    assert permissions.can_create_unit(user, target) is expected
    assert permissions.can_assign_telesamordnare(user, target) is expected


@pytest.mark.parametrize("who, unit, expected", _cases(READINESS))
def test_org_3_readiness_editable_by_unit_managers(world, who, unit, expected):
    user = world.people[who].user
    assert permissions.can_edit_unit_readiness(user, getattr(world, unit)) is expected


@pytest.mark.parametrize(
    "who, expected",
    [("telekundtjanst", True), ("admin", True), ("forvaltningschef", False), ("manager", False)],
)
def test_org_1_only_the_desk_creates_forvaltningar(world, who, expected):
    assert permissions.can_create_unit(world.people[who].user, None) is expected


def test_role_needs_the_group_as_well_as_the_scope(world):
    """Heading a unit without the enhetschef role (left the LDAP group) grants nothing."""
    manager = world.people["manager"].user
    manager.groups.clear()
    manager = type(manager).objects.get(pk=manager.pk)  # drop the cached roles
    assert permissions.roles_of(manager) == frozenset()
    assert not permissions.can_edit_unit_readiness(manager, world.grupp)


@pytest.mark.parametrize(
    "who, expected",
    [
        ("employee", True),  # themselves
        ("colleague", False),
        ("manager", True),
        ("forvaltningschef", True),
        ("budgetchef", False),
        ("outsider", False),
        ("telesamordnare_other", False),
        ("telekundtjanst", True),
        ("kundtjanst", False),
        ("ksordforande", False),
        ("admin", False),
    ],
)
def test_org_4_protected_identity_visible_to_few(world, who, expected):
    protected = world.people["employee"]
    protected.protected_identity = True
    protected.save()
    assert permissions.can_view_person(world.people[who].user, protected) is expected


def test_dir_3_everyone_sees_an_ordinary_person(world):
    for who in ("colleague", "outsider", "kundtjanst"):
        assert permissions.can_view_person(world.people[who].user, world.people["employee"])


@pytest.mark.parametrize(
    "who, inside, outside",
    [
        ("telesamordnare_other", "bibliotek", "grupp"),
    ],
)
def test_telesamordnare_scope_is_own_forvaltning(world, who, inside, outside):
    user = world.people[who].user
    assert permissions.is_telesamordnare_of(user, getattr(world, inside))
    assert not permissions.is_telesamordnare_of(user, getattr(world, outside))


def test_budget_manager_scope_is_own_cost_centres(world):
    other = PersonFactory(unit=world.hemtjanst)
    assert permissions.is_budget_manager_of(world.people["budgetchef"].user, world.cost_centre)
    assert not permissions.is_budget_manager_of(world.people["manager"].user, world.cost_centre)
    world.cost_centre.budget_manager = other
    world.cost_centre.save()
    assert not permissions.is_budget_manager_of(world.people["budgetchef"].user, world.cost_centre)


def test_anonymous_has_no_roles():
    assert permissions.roles_of(AnonymousUser()) == frozenset()
    assert permissions.person_of(AnonymousUser()) is None


def test_superuser_counts_as_admin(world):
    user = world.people["outsider"].user
    user.is_superuser = True
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert Role.ADMIN in permissions.roles_of(user)
