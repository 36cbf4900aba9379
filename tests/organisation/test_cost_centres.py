"""Cost centres kept on pages by Tele kundtjänst (issue 17.6): create, change, history."""

import pytest
from django.urls import reverse

from organisation.models import CostCentre
from tests.conftest import statuses
from tests.factories import PersonFactory

DESK = statuses(403, telekundtjanst=200)
NEW = reverse("organisation:cost_centre_create")


def _edit(cost_centre):
    return reverse("organisation:cost_centre_edit", args=[cost_centre.pk])


def _data(world, **changes):
    data = {
        "code": "4200",
        "name": "Hemtjänst Söder",
        "unit": world.hemtjanst.pk,
        "budget_manager": world.people["budgetchef"].pk,
        "is_active": "on",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


@pytest.mark.parametrize("who, status", DESK.items())
def test_who_may_create_a_cost_centre(matrix_client, world, who, status):
    client = matrix_client(who)
    assert client.get(NEW).status_code == status
    response = client.post(NEW, _data(world))
    assert response.status_code == (302 if status == 200 else status)
    created = CostCentre.objects.filter(code="4200").first()
    assert (created is not None) == (status == 200)
    if created is not None:
        assert response["Location"] == reverse("costs:cost_centre_detail", args=[created.pk])
        assert created.budget_manager == world.people["budgetchef"]
        row = created.history.get()
        assert (row.history_user, row.history_change_reason) == (
            world.people["telekundtjanst"].user,
            "Kostnadsställe skapat",
        )


@pytest.mark.parametrize("who, status", DESK.items())
def test_who_may_change_a_cost_centre(matrix_client, world, who, status):
    cost_centre = world.cost_centre
    client = matrix_client(who)
    assert client.get(_edit(cost_centre)).status_code == status
    client.post(_edit(cost_centre), _data(world, code="4100", name="Hemtjänst Norr och Söder"))
    cost_centre.refresh_from_db()
    assert (cost_centre.name == "Hemtjänst Norr och Söder") == (status == 200)


def test_an_unknown_cost_centre_is_404(matrix_client, world):
    client = matrix_client("telekundtjanst")
    assert client.get(reverse("organisation:cost_centre_edit", args=[99999])).status_code == 404


def test_a_new_budget_manager_is_kept_with_history_and_the_page_links_to_it(matrix_client, world):
    successor = PersonFactory(unit=world.hemtjanst, first_name="Britt", last_name="Ek")
    client = matrix_client("telekundtjanst")
    detail = client.get(reverse("costs:cost_centre_detail", args=[world.cost_centre.pk]))
    assert _edit(world.cost_centre) in detail.content.decode()
    response = client.post(
        _edit(world.cost_centre),
        _data(world, code="4100", budget_manager=successor.pk),
        follow=True,
    )
    assert "Kostnadsstället sparades." in response.content.decode()
    world.cost_centre.refresh_from_db()
    assert world.cost_centre.budget_manager == successor
    latest = world.cost_centre.history.latest()
    assert latest.history_change_reason == "Kostnadsställe ändrat"
    assert latest.prev_record.budget_manager_id == world.people["budgetchef"].pk


def test_saving_unchanged_says_nothing_changed_and_writes_no_history(matrix_client, world):
    client = matrix_client("telekundtjanst")
    before = world.cost_centre.history.count()
    response = client.post(
        _edit(world.cost_centre),
        _data(world, code="4100", name="Hemtjänst Norr"),
        follow=True,
    )
    assert "Inget ändrades" in response.content.decode()
    assert world.cost_centre.history.count() == before


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"code": "4100"}, "code", "Ett annat kostnadsställe har redan den koden."),
        ({"code": "  "}, "code", "Det här fältet är obligatoriskt."),
        ({"name": "   "}, "name", "Det här fältet är obligatoriskt."),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_saved(
    matrix_client, world, changes, field, message
):
    client = matrix_client("telekundtjanst")
    count = CostCentre.objects.count()
    response = client.post(NEW, _data(world, **changes))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert CostCentre.objects.count() == count


def test_a_person_who_left_cannot_become_budget_manager(matrix_client, world):
    left = PersonFactory(unit=world.hemtjanst, is_active=False)
    response = matrix_client("telekundtjanst").post(NEW, _data(world, budget_manager=left.pk))
    assert response.status_code == 200
    assert "budget_manager" in response.context["form"].errors
    assert not CostCentre.objects.filter(code="4200").exists()
