import pytest
from django.urls import reverse

from tests.conftest import EVERYONE
from tests.factories import CostCentreFactory


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_cost_centre_list(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("costs:cost_centre_list"))
    assert response.status_code == status
    if status == 200:
        assert "4100" in response.content.decode()


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_cost_centre_detail(matrix_client, world, who, status):
    response = matrix_client(who).get(world.cost_centre.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert response.context["cost_centre"].budget_manager == world.people["budgetchef"]


def test_unknown_cost_centre_is_404(matrix_client, world):
    assert matrix_client("employee").get("/kostnadsstallen/999999/").status_code == 404


@pytest.mark.parametrize("extra", [1, 3])
def test_cost_centre_list_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, extra
):
    CostCentreFactory.create_batch(extra, unit=world.bibliotek)
    client = matrix_client("budgetchef")
    with django_assert_num_queries(5):
        response = client.get(reverse("costs:cost_centre_list"))
    assert len(response.context["cost_centres"]) == 1 + extra
