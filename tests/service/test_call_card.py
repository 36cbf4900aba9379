"""Kundtjänst's view of a telesök hit (issue 19.4): where calls go now, the phone hours,
the next working day and "Ta meddelande" for the person."""

import pytest
from django.urls import reverse

from absence import services as absence_services
from absence.choices import Reason, Target
from tests.conftest import local, phone, statuses
from tests.factories import PersonFactory


def card(pk):
    return reverse("service:call_card", args=[pk])


@pytest.fixture
def away(world, clock):
    anna = world.people["employee"]
    world.grupp.phone_hours = "Mån–fre 8–10"
    world.grupp.save()
    mobile = phone(world, number="+4619211000", extension="1100", holder=anna)
    absence_services.redirect_create(
        actor=anna.user,
        subscriptions=[mobile],
        reason=Reason.MEETING,
        ends_at=local(2026, 12, 1, 15, 0),
        target=Target.KUNDTJANST,
    )
    return anna


@pytest.mark.parametrize(("role", "status"), statuses(200).items())
def test_call_card_role_table(matrix_client, away, role, status):
    response = matrix_client(role).get(card(away.pk))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Möte" in page and "Kundtjänst" in page
        assert "Mån–fre 8–10" in page
        assert "onsdag 2 december" in page  # Tuesday 1 December: the next working day
        assert "torsdag 3 december" in page  # the callback guarantee
        assert f'href="/medborgarservice/aterringningar/ny/?for={away.pk}"' in page


PROTECTED = statuses(404, telekundtjanst=200)


@pytest.mark.parametrize(("role", "status"), PROTECTED.items())
def test_org_4_call_card_of_a_protected_identity(matrix_client, world, clock, role, status):
    hidden = PersonFactory(unit=world.grupp, last_name="Skyddadsson", protected_identity=True)
    response = matrix_client(role).get(card(hidden.pk))
    assert response.status_code == status
    assert ("Skyddadsson" in response.content.decode()) == (status == 200)


def test_call_card_of_someone_who_left_or_missing_is_404(matrix_client, world, clock):
    gone = PersonFactory(unit=world.grupp, is_active=False)
    client = matrix_client("kundtjanst")
    assert client.get(card(gone.pk)).status_code == 404
    assert client.get(card(999999)).status_code == 404


def test_telesok_links_the_call_card_for_kundtjanst_only(matrix_client, away):
    url = reverse("directory:search")
    page = matrix_client("kundtjanst").get(url, {"q": "östlund"}).content.decode()
    assert f'href="{card(away.pk)}"' in page
    page = matrix_client("colleague").get(url, {"q": "östlund"}).content.decode()
    assert f'href="{card(away.pk)}"' not in page
