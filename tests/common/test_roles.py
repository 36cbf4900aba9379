"""The role predicates every app shares: each names the roles it means."""

import pytest
from django.contrib.auth.models import Group

from common.roles import Role, is_admin, is_service_desk, is_service_desk_or_admin, roles_of


@pytest.fixture
def user_with(django_user_model):
    def make(*roles, superuser=False):
        user = django_user_model.objects.create_user(
            f"u{len(roles)}{superuser}", is_superuser=superuser
        )
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return django_user_model.objects.get(pk=user.pk)

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("roles", "superuser", "desk", "admin", "desk_or_admin"),
    [
        ((Role.TELEKUNDTJANST,), False, True, False, True),
        ((Role.ADMIN,), False, False, True, True),
        ((), True, False, True, True),
        ((Role.KUNDTJANST,), False, False, False, False),
        ((), False, False, False, False),
    ],
)
def test_service_desk_means_tele_kundtjanst_only(
    user_with, roles, superuser, desk, admin, desk_or_admin
):
    user = user_with(*roles, superuser=superuser)
    assert is_service_desk(user) is desk
    assert is_admin(user) is admin
    assert is_service_desk_or_admin(user) is desk_or_admin


@pytest.mark.django_db
def test_a_group_that_is_no_role_grants_nothing(user_with):
    user = user_with("fikagruppen")
    assert roles_of(user) == frozenset()


def test_an_anonymous_user_has_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert roles_of(AnonymousUser()) == frozenset()
