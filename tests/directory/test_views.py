"""Role -> status tables for the telesök pages (DIR-2, DIR-3, ORG-4), one content check
per row, and query counts at one and three hits."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import EVERYONE, phone, statuses
from tests.factories import PersonFactory

# ORG-4: a protected identity's page, for the people can_view_person allows (Petra sits in
# Hemtjänst Norr grupp 1: the enhetschef above her, the förvaltningschef, the desk).
# ORG-4: the circle; the systemadministratör is outside it (issue 16.4).
PROTECTED_PAGE = statuses(404, manager=200, forvaltningschef=200, telekundtjanst=200)


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_dir_3_search_page(matrix_client, phones, who, status):
    response = matrix_client(who).get(reverse("directory:search"), {"q": "019-21 10 00"})
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Anna Östlund" in body
        assert reverse("directory:person", args=[phones.anna.pk]) in body
        assert "019-21 10 00" in body and "070-123 45 67" in body and ">1100<" in body
    else:
        assert response["Location"].startswith(reverse("login"))


def test_search_page_without_a_query_shows_only_the_box(matrix_client, phones):
    response = matrix_client("employee").get(reverse("directory:search"))
    body = response.content.decode()
    assert 'name="q"' in body and 'role="search"' in body
    assert '<label for="telesok-q">' in body
    assert "<table" not in body
    assert response.context["hits"] == []


def test_search_page_says_so_when_nothing_matches(matrix_client, phones):
    with translation.override("en"):
        response = matrix_client("employee").get(
            reverse("directory:search"), {"q": "zzzqqq"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    body = response.content.decode()
    assert "No one matches “zzzqqq”" in body
    assert "<table" not in body


def test_search_page_keeps_the_query_in_the_box(matrix_client, phones):
    response = matrix_client("employee").get(reverse("directory:search"), {"q": "anna <b>"})
    body = response.content.decode()
    assert 'value="anna &lt;b&gt;"' in body


def test_search_page_shows_function_phones_with_their_unit(matrix_client, phones, world):
    body = (
        matrix_client("kundtjanst")
        .get(reverse("directory:search"), {"q": "receptionen"})
        .content.decode()
    )
    assert "Receptionen" in body and "019-21 20 00" in body
    assert reverse("directory:unit", args=[world.hemtjanst.pk]) in body


@pytest.mark.parametrize("who", ["telekundtjanst", "manager", "employee"])
def test_org_4_search_page_never_shows_a_protected_identity(matrix_client, phones, who):
    client = matrix_client(who)
    for query in ("skyddad", "3000", "019-21 30 00"):
        body = client.get(reverse("directory:search"), {"q": query}).content.decode()
        assert "Skyddad" not in body
        assert "019-21 30 00" not in body.split("</form>")[-1]


def add_qvarnstrom(world, unit=None):
    """A person with a fixed phone and a mobile, found by "qvarnström"."""
    holder = PersonFactory(unit=unit or world.grupp, last_name="Qvarnström")
    n = holder.pk
    phone(world, holder=holder, number=f"+46193{n:05d}", extension=f"8{n:03d}")
    phone(world, holder=holder, number=f"+46702{n:05d}", kind="mobil")
    return holder


@pytest.mark.parametrize("count", [1, 3])
def test_search_page_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, count
):
    for _ in range(count):
        add_qvarnstrom(world)
    client = matrix_client("employee")
    # session, user, roles, own person; people (ranked, with units), their phones,
    # function phones; the current hänvisningar of the hits (ABS-1)
    with django_assert_num_queries(9):
        response = client.get(reverse("directory:search"), {"q": "qvarnström"})
    assert len(response.context["hits"]) == count
    assert all(len(hit.subscriptions) == 2 for hit in response.context["hits"])


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_dir_3_person_page(matrix_client, phones, who, status):
    response = matrix_client(who).get(reverse("directory:person", args=[phones.anna.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Anna Östlund" in body and "Undersköterska" in body
        assert "019-21 10 00" in body and "070-123 45 67" in body
        assert response.context["subscriptions"] == [
            phones.subs.anna_fixed,
            phones.subs.anna_mobile,
        ]


def test_person_page_lists_every_fact_of_a_subscription(matrix_client, phones):
    sub = phones.subs.anna_fixed
    sub.power_secured, sub.open_international, sub.unanswered_to = True, True, "voicemail"
    sub.save()
    with translation.override("en"):
        body = (
            matrix_client("colleague")
            .get(reverse("directory:person", args=[phones.anna.pk]), HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )
    for text in ("Fixed phone", "Mobile phone", ">1100<", "Active", "Voicemail"):
        assert text in body, text
    assert "Abroad: open" in body and "Premium-rate: closed" in body
    assert "<td>Yes</td>" in body


def test_person_page_leaves_out_cancelled_subscriptions(matrix_client, phones, world):
    outsider = world.people["outsider"]
    body = (
        matrix_client("employee")
        .get(reverse("directory:person", args=[outsider.pk]))
        .content.decode()
    )
    assert "Lis Rydh" in body
    assert "019-21 99 99" not in body


@pytest.mark.parametrize("who, status", PROTECTED_PAGE.items())
def test_org_4_protected_person_page(matrix_client, phones, who, status):
    response = matrix_client(who).get(reverse("directory:person", args=[phones.petra.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Petra Skyddad" in response.content.decode()
        assert response.context["subscriptions"] == [phones.subs.petra]
    elif status == 404:
        assert "Skyddad" not in response.content.decode()


def test_person_page_unknown_is_404(matrix_client, world):
    assert matrix_client("employee").get("/telesok/person/999999/").status_code == 404


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_dir_3_unit_page(matrix_client, phones, world, who, status):
    response = matrix_client(who).get(reverse("directory:unit", args=[world.grupp.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Östlund, Anna" in body and "019-21 10 00" in body
        assert "Nattpatrullen" in body and "019-21 20 01" in body
        # ORG-4: never listed, not even for those who may open her page.
        assert "Skyddad" not in body and "019-21 30 00" not in body
        assert "Inaktiv" not in body


def test_unit_page_links_up_and_down_the_tree(matrix_client, phones, world):
    body = (
        matrix_client("employee")
        .get(reverse("directory:unit", args=[world.hemtjanst.pk]))
        .content.decode()
    )
    assert reverse("directory:unit", args=[world.grupp.pk]) in body
    assert reverse("directory:unit", args=[world.vof.pk]) in body
    assert "Receptionen" in body


def test_unit_page_unknown_is_404(matrix_client, world):
    assert matrix_client("employee").get("/telesok/enhet/999999/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_unit_page_query_count_is_constant(matrix_client, world, django_assert_num_queries, count):
    unit = world.bibliotek.children.create(name="Filial Vivalla")
    for n in range(count):
        add_qvarnstrom(world, unit=unit)
        phone(
            world,
            function_name=f"Disk {n}",
            unit=unit,
            number=f"+4619500{n:03d}",
            extension=f"6{n:03d}",
        )
    client = matrix_client("employee")
    # session, user, roles, own person; unit, ancestors, people, their phones, function
    # phones, sub-units; the current hänvisningar of the rows (ABS-1)
    with django_assert_num_queries(12):
        response = client.get(reverse("directory:unit", args=[unit.pk]))
    assert len(response.context["people"]) == count
    assert len(response.context["functions"]) == count


def test_main_navigation_links_telesok(matrix_client, world):
    body = matrix_client("employee").get(reverse("start")).content.decode()
    assert f'href="{reverse("directory:search")}"' in body


# BAR-2 (issue 19.8): "Ändra spärrar" on the person page exactly for those whose barring
# form opens: the budget manager of the phones' cost centre (and the förvaltning's
# telesamordnare, below); everyone else sees the page without the link.
BARRING_LINK = {who: who == "budgetchef" for who in EVERYONE if who != "anonymous"}


@pytest.mark.parametrize("who, linked", BARRING_LINK.items())
def test_bar_2_person_page_links_change_barring_for_those_who_may(
    matrix_client, phones, who, linked
):
    client = matrix_client(who)
    body = client.get(reverse("directory:person", args=[phones.anna.pk])).content.decode()
    anna = (phones.subs.anna_fixed, phones.subs.anna_mobile)
    links = [reverse("devices:barring", args=[s.pk]) for s in anna]
    assert [link in body for link in links] == [linked, linked]
    assert ("Ändra spärrar" in body) == linked
    barring = client.get(links[0])
    # The link follows the form's own predicate: where it is shown, the form opens.
    assert (barring.status_code == 200 and barring.context["form"] is not None) == linked


def test_bar_2_person_page_links_change_barring_for_the_own_telesamordnare(client, phones, world):
    from common.roles import Role
    from tests.factories import person_with_user

    tsam = person_with_user(unit=world.hemtjanst, roles=[Role.TELESAMORDNARE], username="ts")
    world.vof.telesamordnare.add(tsam)
    client.force_login(tsam.user)
    body = client.get(reverse("directory:person", args=[phones.anna.pk])).content.decode()
    assert reverse("devices:barring", args=[phones.subs.anna_fixed.pk]) in body


@pytest.mark.parametrize("count", [1, 3])
def test_person_page_query_count_is_constant(
    matrix_client, world, django_assert_num_queries, count
):
    holder = PersonFactory(unit=world.grupp, last_name="Qvarnström")
    for n in range(count):
        phone(world, holder=holder, number=f"+4670200{n:04d}", kind="mobil")
    client = matrix_client("budgetchef")
    client.get(reverse("directory:person", args=[holder.pk]))  # warm the per-process caches
    # session, user, the person, their phones (with cost centres and units), roles, own
    # person, the manager, the current hänvisning, the unit's ancestors
    with django_assert_num_queries(10):
        response = client.get(reverse("directory:person", args=[holder.pk]))
    assert len(response.context["subscriptions"]) == count
    assert all(s.can_change_barring for s in response.context["subscriptions"])


# --- Telesök as you type (issue 19.4): the results fragment ------------------------------


@pytest.mark.parametrize(("role", "status"), statuses(200).items())
def test_search_results_fragment(matrix_client, world, role, status):
    response = matrix_client(role).get(reverse("directory:search_results"), {"q": "östlund"})
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "<html" not in page  # only the results, for the page to put in place
        assert 'data-live-summary="1 träff"' in page
        assert "Östlund" in page


def test_search_page_works_without_javascript_and_carries_the_live_hooks(matrix_client, world):
    page = matrix_client("colleague").get(reverse("directory:search"), {"q": "östlund"})
    body = page.content.decode()
    assert 'data-live-url="/telesok/traffar/"' in body
    assert '<div id="telesok-results">' in body and "Östlund" in body
