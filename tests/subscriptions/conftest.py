import pytest

from subscriptions import services


@pytest.fixture
def anna(world):
    """The employee of the access matrix: Anna Östlund, Undersköterska in Hemtjänst Norr grupp 1."""
    return world.people["employee"]


@pytest.fixture
def make_request(anna):
    """make_request(**new_values) -> Anna's pending change request of her own entry."""

    def make(person=None, **new_values):
        person = person or anna
        return services.entry_change_request_create(
            actor=person.user, person=person, new_values=new_values
        )

    return make
