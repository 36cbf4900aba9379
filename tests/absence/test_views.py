"""Hänvisning pages and the presence feed: a role -> status table per view with one
effect checked per row, bad input, query counts at 1 and 3 items, and telesök showing it."""

from datetime import date, time

import pytest
from django.core import mail
from django.urls import reverse

from absence import services
from absence.choices import Reason, Status, Target
from absence.models import Redirect, Trip
from organisation.models import Person
from tests.conftest import EVERYONE, local, phone, statuses
from tests.factories import PersonFactory

MINE = reverse("absence:mine")
QUICK = reverse("absence:quick")
BACK = reverse("absence:back")
CREATE = reverse("absence:create")
TRIPS = reverse("absence:trips")
PRESENCE = reverse("api:presence")
# Who has a phone in the `phones` fixture.
WITH_PHONES = {"employee", "colleague", "manager", "outsider"}
# ABS-3: the employee's managers (unit and förvaltning) and nobody else.
MANAGERS_ONLY = statuses(403, manager=200, forvaltningschef=200)
HOURS = statuses(403, manager=200, forvaltningschef=200, telekundtjanst=200, admin=200)


def _lunch(world, phones, **kw):
    values = {
        "actor": world.people["employee"].user,
        "subscriptions": [phones.anna],
        "reason": Reason.LUNCH,
        "ends_at": local(2026, 12, 1, 13, 0),
        "target": Target.KUNDTJANST,
    }
    return services.redirect_create(**(values | kw))[0]


# --- Own page, one click, back ------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_mine_shows_own_redirect_and_one_click_choices(matrix_client, world, phones, who, status):
    _lunch(world, phones)
    response = matrix_client(who).get(MINE)
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Lunch till 13:00" in body
        assert ("Lunch, åter 13:00" in body) == (who == "employee")


@pytest.mark.parametrize("count", [1, 3])
def test_mine_query_count_is_constant(
    matrix_client, world, phones, clock, django_assert_num_queries, count
):
    for day in range(count):
        _lunch(
            world,
            phones,
            reason=Reason.MEETING,
            starts_at=local(2026, 12, 2 + day, 9, 0),
            ends_at=local(2026, 12, 2 + day, 10, 0),
        )
    client = matrix_client("employee")
    # session, user, roles, own person; the list (with phones, targets and who set
    # them), the current one, the unit and its working day, the guideline's default day
    with django_assert_num_queries(10):
        response = client.get(MINE)
    assert len(response.context["redirects"]) == count


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_abs_1_one_click_lunch(matrix_client, world, phones, who, status):
    response = matrix_client(who).post(QUICK, {"preset": "lunch", "next": "/"})
    assert response.status_code == (302 if status == 200 else status)
    if who == "anonymous":
        assert not Redirect.objects.exists()
        return
    assert response["Location"] == "/"
    person = world.people[who]
    made = Redirect.objects.filter(subscription__holder=person)
    assert made.exists() == (who in WITH_PHONES)
    assert Redirect.objects.exclude(subscription__holder=person).count() == 0
    if who in WITH_PHONES:
        assert {r.ends_at for r in made} == {local(2026, 12, 1, 13, 0)}


def test_one_click_never_leaves_the_site(matrix_client, phones):
    response = matrix_client("employee").post(
        QUICK, {"preset": "lunch", "next": "https://evil.example/"}
    )
    assert response["Location"] == MINE


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_abs_1_i_am_back(matrix_client, world, phones, clock, who, status):
    lunch = _lunch(world, phones)
    clock.set(local(2026, 12, 1, 12, 0))
    response = matrix_client(who).post(BACK)
    assert response.status_code == (302 if status == 200 else status)
    lunch.refresh_from_db()
    # Only Anna's own "back" ends Anna's lunch.
    assert (lunch.status == Status.ENDED) == (who == "employee")


# --- The full form ----------------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_create_form_lists_own_phones(matrix_client, world, phones, who, status):
    response = matrix_client(who).get(CREATE)
    assert response.status_code == status
    if status == 200:
        offered = set(response.context["form"].fields["phones"].queryset)
        assert offered == {s for s in vars(phones).values() if s.holder == world.people[who]}


def _form(phones, **changes):
    return {
        "kind": "hanvisning",
        "phones": [phones.anna.pk],
        "reason": Reason.MEETING,
        "ends_at": "2026-12-01T15:00",
        "target": Target.EXTENSION,
        "target_number": "1101",
        "message": "Åter efter mötet",
        **changes,
    }


def test_create_saves_a_hanvisning_to_a_colleague(matrix_client, phones):
    response = matrix_client("employee").post(CREATE, _form(phones))
    assert response.status_code == 302
    redirect = Redirect.objects.get()
    assert (redirect.target_subscription, redirect.ends_at) == (
        phones.bo,
        local(2026, 12, 1, 15, 0),
    )


@pytest.mark.parametrize(
    "changes, field, text",
    [
        pytest.param({"ends_at": "2026-12-01T10:00"}, "ends_at", "redan passerat", id="past"),
        pytest.param(
            {"target_number": "08-123 456 78"},
            "target_number",
            "inte ett nummer i kommunen",
            id="outside",
        ),
        pytest.param({"target_number": "1100"}, "target_number", "sig själv", id="itself"),
        pytest.param({"reason": ""}, "reason", "Välj en orsak", id="no-reason"),
    ],
)
def test_create_bad_input_swedish_message_nothing_saved(
    matrix_client, phones, changes, field, text
):
    response = matrix_client("employee").post(CREATE, _form(phones, **changes))
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors[field])
    assert not Redirect.objects.exists()


def test_create_overlap_is_refused(matrix_client, world, phones):
    _lunch(world, phones)
    response = matrix_client("employee").post(CREATE, _form(phones))
    assert response.status_code == 200
    assert "redan en hänvisning" in " ".join(response.context["form"].non_field_errors())
    assert Redirect.objects.count() == 1


def test_create_medflyttning_loop_is_refused(matrix_client, world, phones):
    services.redirect_create(
        actor=world.people["colleague"].user,
        subscriptions=[phones.bo],
        kind="medflyttning",
        target=Target.EXTENSION,
        target_subscription=phones.anna,
    )
    response = matrix_client("employee").post(
        CREATE, _form(phones, kind="medflyttning", reason="", ends_at="")
    )
    assert "slinga" in " ".join(response.context["form"].errors["target_number"])
    assert Redirect.objects.count() == 1


# --- ABS-3: sick leave -----------------------------------------------------------------------


@pytest.mark.parametrize("who, status", MANAGERS_ONLY.items())
def test_abs_3_only_the_manager_opens_the_sick_leave_form(
    matrix_client, world, phones, who, status
):
    url = reverse("absence:sick", args=[world.people["employee"].pk])
    response = matrix_client(who).get(url)
    assert response.status_code == status
    if status == 200:
        assert response.context["form"].fields["reason"].choices == [("sick", "Sjuk")]


@pytest.mark.parametrize("who, status", MANAGERS_ONLY.items())
def test_abs_3_manager_sets_sick_leave_and_the_employee_sees_who(
    matrix_client, world, phones, who, status, django_capture_on_commit_callbacks
):
    anna = world.people["employee"]
    url = reverse("absence:sick", args=[anna.pk])
    data = _form(phones, reason=Reason.SICK, ends_at="2026-12-03T08:00", target="reception")
    data["target_number"] = "2000"
    with django_capture_on_commit_callbacks(execute=True):
        response = matrix_client(who).post(url, data)
    expected = 302 if status == 200 else status
    assert response.status_code == expected
    if expected != 302 or who == "anonymous":
        assert not Redirect.objects.exists()
        return
    redirect = Redirect.objects.get()
    assert (redirect.reason, redirect.set_by) == (Reason.SICK, world.people[who].user)
    assert mail.outbox[0].to == [anna.email]
    page = matrix_client("employee").get(reverse("directory:person", args=[anna.pk]))
    assert f"Satt av {world.people[who].full_name}" in page.content.decode()


def test_abs_3_protected_identity_is_404_to_those_who_may_not_see_it(matrix_client, world):
    secret = PersonFactory(unit=world.grupp, protected_identity=True)
    url = reverse("absence:sick", args=[secret.pk])
    assert matrix_client("colleague").get(url).status_code == 404
    assert matrix_client("manager").get(url).status_code == 200


@pytest.mark.parametrize("who, status", (MANAGERS_ONLY | {"employee": 200}).items())
def test_end_a_redirect_holder_or_manager(matrix_client, world, phones, clock, who, status):
    lunch = _lunch(world, phones)
    clock.set(local(2026, 12, 1, 12, 0))
    response = matrix_client(who).post(reverse("absence:end", args=[lunch.pk]))
    assert response.status_code == (302 if status == 200 else status)
    lunch.refresh_from_db()
    assert (lunch.status == Status.ENDED) == (status == 200 and who != "anonymous")


# --- ABS-6: trips ------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_abs_6_trips_page_shows_the_checklist(matrix_client, world, phones, who, status):
    response = matrix_client(who).get(TRIPS)
    assert response.status_code == status
    if status == 200:
        assert "Stäng av mobilsvaret" in response.content.decode()


def test_abs_6_register_a_trip(matrix_client, world, phones, django_capture_on_commit_callbacks):
    data = {
        "subscription": phones.anna_mobile.pk,
        "destination": "Finland",
        "starts_on": "2026-12-10",
        "ends_on": "2026-12-12",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = matrix_client("employee").post(TRIPS, data)
    assert response.status_code == 302
    trip = Trip.objects.get()
    assert (trip.person, trip.ends_on) == (world.people["employee"], date(2026, 12, 12))
    assert "Finland" in mail.outbox[0].subject


def test_abs_6_a_colleagues_phone_is_not_offered(matrix_client, phones):
    data = {
        "subscription": phones.bo.pk,
        "destination": "Finland",
        "starts_on": "2026-12-10",
        "ends_on": "2026-12-12",
    }
    response = matrix_client("employee").post(TRIPS, data)
    assert response.status_code == 200
    assert "subscription" in response.context["form"].errors
    assert not Trip.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_trips_query_count_is_constant(
    matrix_client, world, phones, clock, django_assert_num_queries, count
):
    anna = world.people["employee"]
    for n in range(count):
        Trip.objects.create(
            person=anna,
            subscription=phones.anna_mobile,
            destination=f"Land {n}",
            starts_on=date(2026, 12, 10 + n),
            ends_on=date(2026, 12, 11 + n),
            registered_by=anna.user,
        )
    client = matrix_client("employee")
    # session, user, roles, own person; the form's phones, the trips with their phone
    with django_assert_num_queries(7):
        response = client.get(TRIPS)
    assert len(response.context["trips"]) == count


# --- SRV-1: working day and phone hours -------------------------------------------------------


@pytest.mark.parametrize("who, status", HOURS.items())
def test_srv_1_unit_hours(matrix_client, world, who, status):
    url = reverse("absence:unit_hours", args=[world.hemtjanst.pk])
    data = {"workday_starts": "07:30", "workday_ends": "16:00", "phone_hours": "Mån–fre 8–10"}
    response = matrix_client(who).post(url, data)
    assert response.status_code == (302 if status == 200 else status)
    world.hemtjanst.refresh_from_db()
    saved = world.hemtjanst.phone_hours == "Mån–fre 8–10"
    assert saved == (status == 200 and who != "anonymous")
    if saved:
        assert world.hemtjanst.workday_starts == time(7, 30)


def test_srv_1_unit_hours_bad_input(matrix_client, world):
    url = reverse("absence:unit_hours", args=[world.hemtjanst.pk])
    response = matrix_client("manager").post(url, {"workday_starts": "07:30"})
    assert response.status_code == 200
    assert "både" in " ".join(response.context["form"].errors["workday_ends"])


def test_srv_1_telesok_shows_phone_hours_on_the_unit_and_its_function_phones(
    matrix_client, world, phones
):
    world.hemtjanst.phone_hours = "Mån–fre 8–10"
    world.hemtjanst.save()
    client = matrix_client("outsider")
    unit_page = client.get(reverse("directory:unit", args=[world.hemtjanst.pk]))
    assert "Telefontid: Mån–fre 8–10" in unit_page.content.decode()
    hits = client.get(reverse("directory:search"), {"q": "receptionen"})
    assert "Telefontid: Mån–fre 8–10" in hits.content.decode()


# --- Telesök ---------------------------------------------------------------------------------


def test_abs_1_telesok_shows_the_hanvisning_on_each_hit(matrix_client, world, phones):
    _lunch(world, phones)
    response = matrix_client("colleague").get(reverse("directory:search"), {"q": "östlund"})
    (hit,) = response.context["hits"]
    assert hit.redirect.reason == Reason.LUNCH
    assert "Lunch, åter 13:00" in response.content.decode()


def test_abs_1_telesok_forgets_a_hanvisning_the_moment_it_ends(matrix_client, world, phones, clock):
    _lunch(world, phones)
    clock.set(local(2026, 12, 1, 13, 0))
    response = matrix_client("colleague").get(reverse("directory:search"), {"q": "östlund"})
    assert response.context["hits"][0].redirect is None


def test_abs_1_own_telesok_row_offers_one_click(matrix_client, world, phones):
    response = matrix_client("employee").get(reverse("directory:search"), {"q": "östlund"})
    assert response.context["own_hit"].person == world.people["employee"]
    assert "Lunch till 13:00" in response.content.decode()
    # The matrix's people have Faker names: make sure the colleague is not an Östlund too.
    Person.objects.filter(pk=world.people["colleague"].pk).update(last_name="Berg")
    other = matrix_client("colleague").get(reverse("directory:search"), {"q": "östlund"})
    assert other.context["own_hit"] is None
    assert "Lunch till 13:00" not in other.content.decode()


def test_abs_1_unit_page_shows_the_hanvisning(matrix_client, world, phones):
    _lunch(world, phones)
    response = matrix_client("outsider").get(reverse("directory:unit", args=[world.grupp.pk]))
    assert "Lunch, åter 13:00" in response.content.decode()


# --- The presence feed ---------------------------------------------------------------------


@pytest.mark.parametrize("who, status", statuses(200, anonymous=401).items())
def test_presence_feed(matrix_client, world, phones, who, status):
    _lunch(world, phones, target=Target.EXTENSION, target_subscription=phones.bo)
    response = matrix_client(who).get(PRESENCE)
    assert response.status_code == status
    if status == 200:
        (row,) = response.json()["results"]
        assert row["person_id"] == world.people["employee"].pk
        assert (row["reason"], row["target"], row["target_extension"]) == (
            "lunch",
            "extension",
            "1101",
        )
        assert row["until"].startswith("2026-12-01T13:00:00")


def test_presence_feed_never_shows_protected_identities_or_ended_ones(
    matrix_client, world, phones, clock
):
    secret = PersonFactory(unit=world.grupp, protected_identity=True)
    hidden = phone(world, holder=secret, number="+4619219000", extension="9000")
    _lunch(world, phones, subscriptions=[hidden])
    _lunch(world, phones, subscriptions=[phones.bo], ends_at=local(2026, 12, 1, 12, 0))
    clock.set(local(2026, 12, 1, 12, 0))
    assert matrix_client("telekundtjanst").get(PRESENCE).json() == {"count": 0, "results": []}


@pytest.mark.parametrize("count", [1, 3])
def test_presence_query_count_is_constant(
    matrix_client, world, phones, django_assert_num_queries, count
):
    for n in range(count):
        person = PersonFactory(unit=world.bibliotek)
        sub = phone(world, holder=person, number=f"+46192170{n:02d}", extension=f"70{n:02d}")
        _lunch(world, phones, subscriptions=[sub])
    client = matrix_client("employee")
    # session, user; the feed
    with django_assert_num_queries(3):
        response = client.get(PRESENCE)
    assert response.json()["count"] == count


def test_abs_1_search_api_carries_the_hanvisning(matrix_client, world, phones):
    _lunch(world, phones)
    response = matrix_client("colleague").get(reverse("api:search"), {"q": "östlund"})
    (hit,) = response.json()["results"]
    assert hit["redirect"]["reason"] == "lunch"
    assert hit["redirect"]["summary"] == "Lunch, åter 13:00"
    others = matrix_client("colleague").get(reverse("api:search"), {"q": "1101"})
    assert others.json()["results"][0]["redirect"] is None


def test_abs_4_unit_page_shows_where_a_group_phones_voice_message_points(matrix_client, world):
    phone(
        world,
        function_name="Arbetslag Nattpatrull Norr",
        kind="grupp",
        voice_message_to="kundtjanst",
        unit=world.grupp,
        number="+4619212001",
        extension="2001",
    )
    response = matrix_client("outsider").get(reverse("directory:unit", args=[world.grupp.pk]))
    assert "Röstmeddelandet hänvisar till: Kundtjänst" in response.content.decode()
