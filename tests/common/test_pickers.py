"""Pickers that search (issue 19.3): the suggestion endpoint's role tables and scope,
protected identities (ORG-4), its query count at two sizes, the no-JS fallback (the "Sök"
button re-renders the form with the matches, nothing typed lost) and forms refusing an id
outside their queryset."""

import pytest
from django.urls import reverse

from organisation.models import Person
from service.forms import CallbackForm
from service.models import Callback
from tests.conftest import phone, statuses
from tests.factories import PersonFactory


def suggest(client, source, **params):
    return client.get(reverse("picker", args=[source]), params)


def labels(response):
    return [row["label"] for row in response.json()["results"]]


# --- The endpoint: who may ask which source ------------------------------------------------

EVERYONE_SIGNED_IN = statuses(200)


@pytest.mark.parametrize(("role", "status"), EVERYONE_SIGNED_IN.items())
def test_recipient_source_answers_every_signed_in_user(matrix_client, world, role, status):
    response = suggest(matrix_client(role), "recipient", q="östlund")
    assert response.status_code == status
    if status == 200:
        assert labels(response) == ["Östlund, Anna"]
        assert "Hemtjänst Norr grupp 1" in response.json()["results"][0]["detail"]


TELESAMORDNARE = statuses(403, telekundtjanst=200, admin=200, forvaltningschef=200)


@pytest.mark.parametrize(("role", "status"), TELESAMORDNARE.items())
def test_telesamordnare_source_answers_who_may_assign(matrix_client, world, role, status):
    unit = world.vof
    response = suggest(matrix_client(role), "telesamordnare", unit=unit.pk, q="")
    assert response.status_code == status
    if status == 200:
        # Only the förvaltning's own active staff.
        staff = set(Person.objects.filter(unit__forvaltning=unit).values_list("pk", flat=True))
        found = {row["value"] for row in response.json()["results"]}
        assert found and found <= staff


def test_telesamordnare_source_needs_an_existing_unit(matrix_client, world):
    client = matrix_client("telekundtjanst")
    assert suggest(client, "telesamordnare").status_code == 404
    assert suggest(client, "telesamordnare", unit=999999).status_code == 404
    assert suggest(client, "no-such-source").status_code == 404


BUDGET_MANAGER = statuses(403, telekundtjanst=200)


@pytest.mark.parametrize(("role", "status"), BUDGET_MANAGER.items())
def test_budget_manager_source_is_tele_kundtjansts(matrix_client, world, role, status):
    response = suggest(matrix_client(role), "budget-manager", q="östl")
    assert response.status_code == status
    if status == 200:
        assert labels(response) == ["Östlund, Anna"]


ORDERING = statuses(403, telesamordnare_other=200)


@pytest.mark.parametrize(("role", "status"), ORDERING.items())
def test_order_holder_source_is_the_telesamordnares_own_forvaltning(
    matrix_client, world, role, status
):
    response = suggest(matrix_client(role), "order-holder", q="")
    assert response.status_code == status
    if status == 200:
        units = {
            Person.objects.get(pk=row["value"]).unit.forvaltning_id
            for row in response.json()["results"]
        }
        assert units == {world.kfv.pk}


STATEMENT = statuses(403, budgetchef=200)


@pytest.mark.parametrize(("role", "status"), STATEMENT.items())
def test_statement_phone_source_is_the_budget_managers_cost_centres(
    matrix_client, world, role, status
):
    phone(world, number="+4619211000", extension="1100", holder=world.people["employee"])
    response = suggest(matrix_client(role), "statement-phone", q="1100")
    assert response.status_code == status
    if status == 200:
        assert labels(response) == ["019-21 10 00 – Anna Östlund"]


APPROVE = statuses(403, manager=200, forvaltningschef=200)


@pytest.mark.parametrize(("role", "status"), APPROVE.items())
def test_approve_phone_source_is_the_managers(matrix_client, world, role, status):
    phone(world, number="+4619211000", extension="1100", holder=world.people["employee"])
    response = suggest(matrix_client(role), "approve-phone", unit=world.hemtjanst.pk, q="östl")
    assert response.status_code == status
    if status == 200:
        assert [r["value"] for r in response.json()["results"]]


# --- Protected identities (ORG-4) ------------------------------------------------------------


@pytest.fixture
def hidden(world):
    return PersonFactory(
        unit=world.grupp, first_name="Hemlig", last_name="Östlund", protected_identity=True
    )


CIRCLE = statuses(200)


@pytest.mark.parametrize(("role", "status"), CIRCLE.items())
def test_org_4_protected_identity_suggested_only_to_its_circle(
    matrix_client, world, hidden, role, status
):
    response = suggest(matrix_client(role), "telesamordnare", unit=world.vof.pk, q="östlund")
    if role in ("telekundtjanst", "forvaltningschef"):
        # The förvaltningschef is in the circle; Tele kundtjänst too.
        assert "Östlund, Hemlig" in labels(response)
    elif response.status_code == 200:
        assert labels(response) == ["Östlund, Anna"]
    assert "Hemlig" not in str(suggest(matrix_client(role), "recipient", q="hemlig").content) or (
        role == "telekundtjanst"
    )


def test_org_4_manager_of_the_unit_is_in_the_circle(matrix_client, world, hidden):
    client = matrix_client("manager")
    response = suggest(client, "approve-phone", unit=world.hemtjanst.pk, q="")
    assert response.status_code == 200
    # As a manager they see protected people of their units; not the colleague outsider.
    from organisation.permissions import identity_circle_q

    circle = Person.objects.filter(identity_circle_q(world.people["manager"].user))
    assert hidden in circle
    outsider_circle = Person.objects.filter(identity_circle_q(world.people["outsider"].user))
    assert hidden not in outsider_circle


# --- Order and limit, and the query count ----------------------------------------------------


def test_suggestions_are_limited_and_ordered_the_swedish_way(matrix_client, world):
    for last in ("Öberg", "Åberg", "Zetterlund", "Aberg", "Ärlig"):
        PersonFactory(unit=world.grupp, last_name=last, first_name="Test", title="Namne")
    response = suggest(matrix_client("telekundtjanst"), "recipient", q="namne")
    assert [label.split(",")[0] for label in labels(response)] == [
        "Aberg",
        "Zetterlund",
        "Åberg",
        "Ärlig",
        "Öberg",
    ]
    for n in range(25):
        PersonFactory(unit=world.grupp, last_name=f"Many{n:02}", title="Massa")
    data = suggest(matrix_client("telekundtjanst"), "recipient", q="massa").json()
    assert len(data["results"]) == 20
    assert data["more"] is True


def test_suggestions_tell_namesakes_apart(matrix_client, world):
    a = PersonFactory(unit=world.grupp, first_name="Eva", last_name="Lind", title="Kock")
    b = PersonFactory(unit=world.bibliotek, first_name="Eva", last_name="Lind", title="Kock")
    phone(world, number="+4619211234", extension="1234", holder=a)
    phone(world, number="+4619215678", extension="5678", holder=b)
    rows = suggest(matrix_client("kundtjanst"), "recipient", q="eva lind").json()["results"]
    assert {row["detail"] for row in rows} == {
        "Kock · Hemtjänst Norr grupp 1 · ankn. 1234",
        "Kock · Stadsbiblioteket · ankn. 5678",
    }
    # The extension finds its holder too.
    assert labels(suggest(matrix_client("kundtjanst"), "recipient", q="5678")) == ["Lind, Eva"]


@pytest.mark.parametrize("size", [1, 3])
def test_suggestion_query_count_is_fixed(matrix_client, world, django_assert_num_queries, size):
    for n in range(size):
        holder = PersonFactory(unit=world.grupp, last_name=f"Samma{n}", title="Fast")
        phone(world, number=f"+461921200{n}", extension=f"200{n}", holder=holder)
    client = matrix_client("kundtjanst")
    # The same at both sizes: session, user, person and roles (the middleware and the
    # circle), then the people in one query and their phones in one.
    with django_assert_num_queries(7):
        response = suggest(client, "recipient", q="fast")
    assert len(response.json()["results"]) == size


# --- The no-JS fallback ---------------------------------------------------------------------


def _callback_data(**extra):
    return {
        "recipient__q": "",
        "caller_name": "Karin Medborgare",
        "caller_phone": "070-123 45 67",
        "message": "Vill prata om bygglovet.",
        "channel": "email",
        **extra,
    }


def test_no_js_search_rerenders_the_form_with_the_matches_and_keeps_the_input(matrix_client, world):
    client = matrix_client("kundtjanst")
    url = reverse("service:callback_create")
    response = client.post(url, _callback_data(recipient__q="östl", _picker="recipient"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Karin Medborgare" in page and "Vill prata om bygglovet." in page
    assert 'value="östl"' in page
    # The one match is selected in the field's <select>; nothing was saved, no errors.
    employee = world.people["employee"]
    assert f'<option value="{employee.pk}" selected>Östlund, Anna' in page
    assert "1 träff" in page
    assert "errorlist" not in page
    assert not Callback.objects.exists()
    # Saving with the chosen id records the callback.
    response = client.post(url, _callback_data(recipient__q="östl", recipient=employee.pk))
    assert response.status_code == 302
    assert Callback.objects.get().recipient == employee


def test_no_js_multiple_picker_adds_by_ticking_and_removes_by_button(matrix_client, world):
    client = matrix_client("telekundtjanst")
    url = reverse("organisation:unit_telesamordnare", args=[world.vof.pk])
    employee, colleague = world.people["employee"], world.people["colleague"]
    page = client.post(
        url, {"telesamordnare__q": "östlund", "_picker": "telesamordnare"}
    ).content.decode()
    assert f'type="checkbox" name="telesamordnare" value="{employee.pk}"' in page
    response = client.post(url, {"telesamordnare": [employee.pk, colleague.pk]})
    assert response.status_code == 302
    assert set(world.vof.telesamordnare.all()) == {employee, colleague}
    page = client.post(
        url,
        {
            "telesamordnare": [employee.pk, colleague.pk],
            "_picker_remove": f"telesamordnare:{employee.pk}",
        },
    ).content.decode()
    assert f'type="hidden" name="telesamordnare" value="{colleague.pk}"' in page
    assert f'type="hidden" name="telesamordnare" value="{employee.pk}"' not in page
    assert set(world.vof.telesamordnare.all()) == {employee, colleague}  # nothing saved yet


def test_a_picker_page_renders_no_select_of_everyone(matrix_client, world):
    for n in range(30):
        PersonFactory(unit=world.grupp, last_name=f"Mängd{n:02}")
    page = matrix_client("kundtjanst").get(reverse("service:callback_create")).content.decode()
    assert "Mängd" not in page
    assert 'role="combobox"' not in page  # the script makes it a combobox
    assert 'name="recipient__q"' in page and 'name="_picker" value="recipient"' in page
    assert f'data-picker-url="{reverse("picker", args=["recipient"])}"' in page


# --- Forms refuse an id outside their queryset ------------------------------------------------


def test_callback_form_refuses_a_person_outside_its_queryset(world, hidden):
    from service import selectors

    user = world.people["kundtjanst"].user
    form = CallbackForm(
        _callback_data(recipient=hidden.pk),
        recipients=selectors.recipients_for(user),
        default_deadline=selectors.today(),
        reader=user,
    )
    assert not form.is_valid()
    assert form.errors["recipient"] == ["Välj en person i listan."]


def test_telesamordnare_form_refuses_someone_of_another_forvaltning(world):
    from organisation.forms import TelesamordnareForm

    form = TelesamordnareForm({"telesamordnare": [world.people["outsider"].pk]}, unit=world.vof)
    assert not form.is_valid()
    assert "telesamordnare" in form.errors


def test_order_form_refuses_a_unit_of_another_forvaltning(world):
    from devices.forms import OrderForm

    form = OrderForm({"kind": "phone", "unit": world.grupp.pk}, forvaltningar=[world.kfv.pk])
    assert not form.is_valid()
    assert form.errors["unit"] == ["Du kan bara beställa för din egen förvaltning."]
