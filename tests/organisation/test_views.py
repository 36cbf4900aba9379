"""Role -> status tables for the organisation pages, with one effect checked per row."""

import pytest
from django.urls import reverse

from organisation.models import Unit
from tests.conftest import EVERYONE, statuses
from tests.factories import PersonFactory, UnitFactory

DESK_ONLY = statuses(403, telekundtjanst=200, admin=200)
DESK_OR_FCHEF = DESK_ONLY | {"forvaltningschef": 200}
READINESS = DESK_OR_FCHEF | {"manager": 200}


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_unit_tree(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("organisation:unit_list"))
    assert response.status_code == status
    if status == 200:
        assert "Hemtjänst Norr grupp 1" in response.content.decode()


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_unit_detail(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("organisation:unit_detail", args=[world.grupp.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Östlund, Anna" in body
        # The action links follow the role.
        assert (reverse("organisation:unit_readiness", args=[world.grupp.pk]) in body) is (
            READINESS[who] == 200
        )


def test_unit_detail_unknown_is_404(matrix_client, world):
    assert matrix_client("employee").get("/organisation/enhet/999999/").status_code == 404


def test_unit_detail_never_lists_a_protected_identity(matrix_client, world):
    anna = world.people["employee"]
    anna.protected_identity = True
    anna.save()
    body = matrix_client("telekundtjanst").get(anna.unit.get_absolute_url()).content.decode()
    assert "Östlund" not in body


@pytest.mark.parametrize("who, status", DESK_OR_FCHEF.items())
def test_unit_create(matrix_client, world, who, status):
    url = reverse("organisation:unit_create", args=[world.hemtjanst.pk])
    response = matrix_client(who).post(url, {"name": "Hemtjänst Norr grupp 2", "code": ""})
    created = Unit.objects.filter(parent=world.hemtjanst, name="Hemtjänst Norr grupp 2")
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == created.get().get_absolute_url()
    else:
        assert response.status_code == status
        assert not created.exists()


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_forvaltning_create(matrix_client, world, who, status):
    response = matrix_client(who).post(
        reverse("organisation:forvaltning_create"), {"name": "Överförmyndarförvaltningen"}
    )
    created = Unit.objects.filter(parent=None, name="Överförmyndarförvaltningen")
    assert response.status_code == (302 if status == 200 else status)
    assert created.exists() is (status == 200)


def test_unit_create_duplicate_name_shows_message_and_saves_nothing(matrix_client, world):
    url = reverse("organisation:unit_create", args=[world.hemtjanst.pk])
    response = matrix_client("forvaltningschef").post(url, {"name": "  hemtjänst norr GRUPP 1 "})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Unit.objects.filter(parent=world.hemtjanst).count() == 1


def test_unit_create_outside_own_forvaltning_is_403(matrix_client, world):
    url = reverse("organisation:unit_create", args=[world.bibliotek.pk])
    assert matrix_client("forvaltningschef").post(url, {"name": "Filial"}).status_code == 403


@pytest.mark.parametrize("who, status", DESK_OR_FCHEF.items())
def test_unit_rename(matrix_client, world, who, status):
    url = reverse("organisation:unit_rename", args=[world.grupp.pk])
    response = matrix_client(who).post(url, {"name": "Hemtjänst Norr, grupp Ett"})
    world.grupp.refresh_from_db()
    assert response.status_code == (302 if status == 200 else status)
    assert (world.grupp.name == "Hemtjänst Norr, grupp Ett") is (status == 200)


@pytest.mark.parametrize("who, status", READINESS.items())
def test_unit_readiness(matrix_client, world, who, status):
    url = reverse("organisation:unit_readiness", args=[world.grupp.pk])
    response = matrix_client(who).post(
        url,
        {
            "reserve_plan": "Laddade mobiler i receptionen.",
            "reserve_plan_updated_on": "2026-10-01",
            "staff_trained_on": "2026-09-15",
        },
    )
    world.grupp.refresh_from_db()
    assert response.status_code == (302 if status == 200 else status)
    assert (world.grupp.reserve_plan == "Laddade mobiler i receptionen.") is (status == 200)


def test_unit_readiness_needs_a_date_with_the_plan(matrix_client, world):
    url = reverse("organisation:unit_readiness", args=[world.grupp.pk])
    response = matrix_client("manager").post(url, {"reserve_plan": "Plan", "staff_trained_on": ""})
    assert response.status_code == 200
    assert "reserve_plan_updated_on" in response.context["form"].errors
    world.grupp.refresh_from_db()
    assert world.grupp.reserve_plan == ""


@pytest.mark.parametrize("who, status", DESK_OR_FCHEF.items())
def test_unit_telesamordnare(matrix_client, world, who, status):
    url = reverse("organisation:unit_telesamordnare", args=[world.hemtjanst.pk])
    colleague = world.people["colleague"]
    response = matrix_client(who).post(url, {"telesamordnare": [colleague.pk]})
    assert response.status_code == (302 if status == 200 else status)
    assert list(world.hemtjanst.telesamordnare.all()) == ([colleague] if status == 200 else [])


def test_telesamordnare_must_belong_to_the_forvaltning(matrix_client, world):
    url = reverse("organisation:unit_telesamordnare", args=[world.hemtjanst.pk])
    response = matrix_client("forvaltningschef").post(
        url, {"telesamordnare": [world.people["outsider"].pk]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["telesamordnare"]
    assert world.hemtjanst.telesamordnare.count() == 0


def _grow_tree(world, n):
    for i in range(n):
        unit = UnitFactory(name=f"Extra {i}", parent=world.vof)
        PersonFactory(unit=unit)


@pytest.mark.parametrize("extra", [1, 3])
def test_unit_tree_query_count_is_constant(matrix_client, world, django_assert_num_queries, extra):
    _grow_tree(world, extra)
    client = matrix_client("employee")
    with django_assert_num_queries(6):
        client.get(reverse("organisation:unit_list"))


@pytest.mark.parametrize("people", [1, 3])
def test_unit_detail_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, people
):
    for _ in range(people):
        PersonFactory(unit=world.hemtjanst)
    client = matrix_client("employee")
    with django_assert_num_queries(12):
        client.get(reverse("organisation:unit_detail", args=[world.hemtjanst.pk]))
