import pytest
from django.urls import reverse

from compliance import services
from compliance.models import Flag
from compliance.rules import RULES
from tests.conftest import EVERYONE
from tests.factories import UnitFactory
from tests.services import celery_broker


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_start_page_for_every_role(matrix_client, world, who, status):
    response = matrix_client(who).get(reverse("start"))
    assert response.status_code == status
    if status == 200:
        assert world.people[who].first_name in response.content.decode()
    else:
        assert response["Location"] == "/accounts/login/?next=/"


def test_start_page_lists_own_open_flags_only(matrix_client, world):
    services.sweep_organisation_rules()
    mine = Flag.objects.filter(responsible=world.people["manager"], resolved_at__isnull=True)
    assert mine.exists()
    body = matrix_client("manager").get("/").content.decode()
    org_3 = str(RULES["ORG-3"].title)  # in words, no id (19.6)
    assert org_3 in body
    assert world.hemtjanst.get_absolute_url() in body
    # Not the förvaltningschef's ORG-2 flag on the förvaltning itself.
    assert f'href="{world.vof.get_absolute_url()}"' not in body
    other = matrix_client("outsider").get("/").content.decode()
    assert org_3 not in other


def test_user_without_person_is_told_to_contact_the_desk(client, django_user_model):
    user = django_user_model.objects.create_user("ny", password="x-secret-123")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["person"] is None
    assert list(response.context["flags"]) == []


@pytest.mark.parametrize("flags", [1, 3])
def test_start_page_query_count_is_constant(matrix_client, world, django_assert_num_queries, flags):
    world.hemtjanst.reserve_plan = "Plan"
    world.hemtjanst.staff_trained_on = "2026-01-01"
    world.hemtjanst.save()
    for i in range(flags):
        UnitFactory(name=f"Utan plan {i}", parent=world.hemtjanst)
    services.sweep_organisation_rules()
    client = matrix_client("manager")
    # ... and ABS-1's one-click hänvisningar: the unit, its working day, the current one;
    # REV-1: whether the manager has an annual review to sign (one query);
    # SRV-2/SRV-4: callers waiting for the person, threat reports to them (two queries);
    # VM-4: the boxes to mark listened; X-2: whether the user heads units (the dashboard
    # link); X-1: the guideline's working day and lunch.
    with django_assert_num_queries(15):
        response = client.get("/")
    assert len(response.context["flags"]) == flags + 1  # the sub-units and grupp


def test_healthz_is_public_and_checks_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["database"], body["broker"]) == ("ok", "ok")


def test_healthz_answers_503_when_the_broker_is_down(client, db):
    with celery_broker("redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


def test_every_page_but_login_and_healthz_needs_sign_in(client, db):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/organisation/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_pages_are_swedish_by_default(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="sv">' in body
    assert 'href="#main"' in body
    assert "<script" not in body


def test_english_can_be_chosen_on_the_login_page(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in body
    assert "Sign in to Telefoni" in body
