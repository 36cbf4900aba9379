"""DIR-4 pages: Mina uppgifter, the Tele kundtjänst queue, direct edits and entry history.

Role -> status tables with one effect checked per row; bad input; query counts.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisation.models import Person
from subscriptions import services
from subscriptions.choices import RequestStatus
from subscriptions.models import ChangeRequest
from tests.conftest import EVERYONE, statuses
from tests.factories import PersonFactory, UserFactory, person_with_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MY_ENTRY = reverse("subscriptions:my_entry")
QUEUE = reverse("subscriptions:change_request_list")
# The queue and direct edits are Tele kundtjänst's only: they name protected identities,
# which the systemadministratör does not read (issue 16.4).
DESK_ONLY = statuses(403, telekundtjanst=200)
HISTORY = DESK_ONLY | {"employee": 200, "manager": 200, "forvaltningschef": 200}
# A protected identity: those who may not see the person get 404, not 403 (ORG-4).
PROTECTED_HISTORY = {who: 404 if status == 403 else status for who, status in HISTORY.items()}


def _form_data(person, **changes):
    return {
        "title": person.title,
        "room": person.room,
        "secondary_number": person.secondary_number,
        "unit": person.unit_id,
        **changes,
    }


def _requests_of(person):
    return ChangeRequest.objects.filter(object_id=person.pk)


# --- Mina uppgifter ---------------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_my_entry_shows_own_entry(matrix_client, world, who, status):
    response = matrix_client(who).get(MY_ENTRY)
    assert response.status_code == status
    if status == 200:
        me = world.people[who]
        assert response.context["person"] == me
        assert me.title in response.content.decode()


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_dir_4_my_entry_post_makes_a_request_for_own_entry(matrix_client, world, who, status):
    client = matrix_client(who)
    me = world.people.get(who) or world.people["employee"]
    response = client.post(MY_ENTRY, _form_data(me, title="Ny titel"))
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert not ChangeRequest.objects.exists()
        return
    assert response.status_code == 302
    assert response["Location"] == MY_ENTRY
    request = ChangeRequest.objects.get()
    assert (request.object_id, request.requested_by) == (me.pk, me.user)
    assert request.changes == {"title": {"old": me.title, "new": "Ny titel"}}
    me.refresh_from_db()
    assert me.title != "Ny titel"  # nothing changes until the request is applied


def test_my_entry_shows_written_number_swedish_way_and_stores_e164(matrix_client, anna):
    Person.objects.filter(pk=anna.pk).update(secondary_number="+4619211000")
    client = matrix_client("employee")
    body = client.get(MY_ENTRY).content.decode()
    assert "019-21 10 00" in body
    client.post(MY_ENTRY, _form_data(anna, secondary_number="070-123 45 67"))
    assert ChangeRequest.objects.get().changes == {
        "secondary_number": {"old": "+4619211000", "new": "+46701234567"}
    }


def test_my_entry_unit_change_within_own_forvaltning(matrix_client, world, anna):
    matrix_client("employee").post(MY_ENTRY, _form_data(anna, unit=world.hemtjanst.pk))
    assert ChangeRequest.objects.get().changes == {
        "unit": {"old": world.grupp.pk, "new": world.hemtjanst.pk}
    }


def test_my_entry_unchanged_form_sends_nothing(matrix_client, anna):
    response = matrix_client("employee").post(MY_ENTRY, _form_data(anna), **EN)
    assert response.status_code == 302
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("secondary_number", "12345", "invalid_number"),
        ("secondary_number", "ring mig", "invalid_number"),
        ("secondary_number", "0" * 33, "max_length"),
        ("title", "x" * 201, "max_length"),
        ("title", "   ", "required"),
        ("room", "x" * 101, "max_length"),
    ],
)
def test_my_entry_bad_input_shows_message_and_saves_nothing(
    matrix_client, anna, field, value, code
):
    response = matrix_client("employee").post(MY_ENTRY, _form_data(anna, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert not ChangeRequest.objects.exists()
    anna.refresh_from_db()
    assert anna.history.count() == 1


def test_my_entry_over_long_title_message_is_swedish(matrix_client, anna):
    body = (
        matrix_client("employee").post(MY_ENTRY, _form_data(anna, title="x" * 201)).content.decode()
    )
    # Django's own Swedish catalogue; the message sits in the title field's error list.
    assert "Säkerställ att detta värde har som mest 200 tecken (den har 201)." in body


def test_my_entry_refuses_a_unit_outside_own_forvaltning(matrix_client, world, anna):
    response = matrix_client("employee").post(
        MY_ENTRY, _form_data(anna, unit=world.bibliotek.pk), **EN
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("unit", "invalid_choice")
    assert "Choose a unit in your own förvaltning." in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_my_entry_offers_only_units_of_own_forvaltning(matrix_client, world):
    form = matrix_client("employee").get(MY_ENTRY).context["form"]
    assert set(form.fields["unit"].queryset) == {world.vof, world.hemtjanst, world.grupp}


def test_my_entry_cannot_target_someone_else(matrix_client, world, anna):
    """No id in the URL; ids smuggled into the form are ignored."""
    bo = world.people["colleague"]
    client = matrix_client("employee")
    data = _form_data(anna, title="Ny titel") | {"person": bo.pk, "pk": bo.pk, "object_id": bo.pk}
    client.post(MY_ENTRY, data)
    assert ChangeRequest.objects.get().object_id == anna.pk
    assert client.get(f"{MY_ENTRY}{bo.pk}/").status_code == 404
    assert client.post(f"{MY_ENTRY}{bo.pk}/", data).status_code == 404
    assert not _requests_of(bo).exists()


def test_my_entry_without_a_person_explains_and_does_not_fail(client, db):
    client.force_login(UserFactory(username="lokal"))
    response = client.get(MY_ENTRY, **EN)
    assert response.status_code == 200
    assert response.context["person"] is None
    assert "not linked to a person" in response.content.decode()
    assert client.post(MY_ENTRY, {"title": "Chef"}).status_code == 200
    assert not ChangeRequest.objects.exists()


def test_my_entry_lists_requests_with_status_and_reason(
    matrix_client, world, anna, desk, make_request
):
    applied = make_request(title="Sjuksköterska")
    services.change_request_apply(actor=desk, request=applied)
    anna.refresh_from_db()
    rejected = make_request(room="B 204")
    services.change_request_reject(actor=desk, request=rejected, reason="Rummet finns inte")
    waiting = make_request(unit=world.hemtjanst.pk)
    response = matrix_client("employee").get(MY_ENTRY, **EN)
    assert [r.pk for r in response.context["requests"]] == [waiting.pk, rejected.pk, applied.pk]
    body = response.content.decode()
    for text in ("Waiting for Tele kundtjänst", "Applied", "Rejected", "Rummet finns inte"):
        assert text in body
    assert "Hemtjänst Norr grupp 1" in body and "<ins>Hemtjänst Norr</ins>" in body
    assert f"Request #{waiting.pk} is waiting" in body


@pytest.mark.parametrize("count", [1, 3])
def test_my_entry_query_count_is_constant(
    matrix_client, world, anna, make_request, django_assert_num_queries, count
):
    for i in range(count):
        make_request(title=f"Titel {i}", unit=world.hemtjanst.pk)
    client = matrix_client("employee")
    with django_assert_num_queries(11):
        response = client.get(MY_ENTRY)
    assert len(response.context["requests"]) == count


# --- The queue ----------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_dir_4_queue(matrix_client, anna, make_request, who, status):
    request = make_request(title="Sjuksköterska")
    response = matrix_client(who).get(QUEUE)
    assert response.status_code == (302 if who == "anonymous" else status)
    if status == 200:
        assert [r.pk for r in response.context["requests"]] == [request.pk]
        body = response.content.decode()
        assert "Anna Östlund" in body and "<ins>Sjuksköterska</ins>" in body
    else:
        assert "Sjuksköterska" not in response.content.decode()


def test_queue_shows_human_labels(matrix_client, world, anna, make_request):
    make_request(unit=world.hemtjanst.pk, secondary_number="+4619211000", room="B 204")
    response = matrix_client("telekundtjanst").get(QUEUE, **EN)
    (request,) = response.context["requests"]
    assert [(row.label, row.old, row.new) for row in request.rows] == [
        ("Room", None, "B 204"),
        ("Secondary number", None, "019-21 10 00"),
        ("Unit", "Hemtjänst Norr grupp 1", "Hemtjänst Norr"),
    ]
    body = response.content.decode()
    assert "<ins>019-21 10 00</ins>" in body and "(empty)" in body


def _aged(request, days):
    ChangeRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - timedelta(days=days)
    )
    return request


def test_queue_filters(matrix_client, world, anna, desk, make_request):
    outsider = world.people["outsider"]
    old = _aged(make_request(title="Sjuksköterska"), 10)
    applied = _aged(make_request(person=world.people["colleague"], title="Chef"), 20)
    services.change_request_apply(actor=desk, request=applied)
    other = _aged(make_request(person=outsider, title="Chefsbibliotekarie"), 3)
    client = matrix_client("telekundtjanst")

    def shown(**params):
        return [r.pk for r in client.get(QUEUE, params).context["requests"]]

    assert shown() == [old.pk, other.pk]  # pending by default, oldest first
    assert shown(status="applied") == [applied.pk]
    assert shown(status="all") == [applied.pk, old.pk, other.pk]
    assert shown(forvaltning=world.kfv.pk) == [other.pk]
    assert shown(older_than_days=5) == [old.pk]
    assert shown(status="all", older_than_days=15) == [applied.pk]
    # An invalid filter shows its error and keeps the default.
    response = client.get(QUEUE, {"older_than_days": "-1"})
    assert response.context["form"].has_error("older_than_days")
    assert [r.pk for r in response.context["requests"]] == [old.pk, other.pk]


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count_is_constant(
    matrix_client, world, make_request, django_assert_num_queries, count
):
    people = [world.people["employee"], world.people["colleague"], world.people["outsider"]]
    for person in people[:count]:
        make_request(person=person, title="Ny titel", secondary_number="+4619211000")
    make_request(person=world.people["manager"], unit=world.vof.pk)
    client = matrix_client("telekundtjanst")
    with django_assert_num_queries(10):
        response = client.get(QUEUE)
    assert len(response.context["requests"]) == count + 1


# --- Apply and reject ---------------------------------------------------------------------


def _apply_url(request):
    return reverse("subscriptions:change_request_apply", args=[request.pk])


def _reject_url(request):
    return reverse("subscriptions:change_request_reject", args=[request.pk])


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_dir_4_apply(matrix_client, anna, make_request, who, status):
    request = make_request(title="Sjuksköterska")
    response = matrix_client(who).post(_apply_url(request))
    anna.refresh_from_db()
    request.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == QUEUE
        assert (anna.title, request.status) == ("Sjuksköterska", RequestStatus.APPLIED)
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert (anna.title, request.status) == ("Undersköterska", RequestStatus.PENDING)


def test_apply_is_post_only(matrix_client, anna, make_request):
    request = make_request(title="Sjuksköterska")
    assert matrix_client("telekundtjanst").get(_apply_url(request)).status_code == 405
    request.refresh_from_db()
    assert request.is_pending


def test_apply_unknown_request_is_404(matrix_client, world):
    response = matrix_client("telekundtjanst").post("/andringar/999999/genomfor/")
    assert response.status_code == 404


def test_apply_stale_request_shows_the_message_and_changes_nothing(
    matrix_client, anna, desk, make_request
):
    request = make_request(title="Sjuksköterska", room="B 204")
    services.entry_update(actor=desk, person=anna, values={"room": "A 101"})
    response = matrix_client("telekundtjanst").post(_apply_url(request), follow=True, **EN)
    body = response.content.decode()
    assert "The entry has changed since the request was made (room)." in body
    anna.refresh_from_db()
    request.refresh_from_db()
    assert (anna.title, anna.room, request.status) == ("Undersköterska", "A 101", "pending")


def test_apply_twice_shows_already_decided(matrix_client, anna, make_request):
    request = make_request(title="Sjuksköterska")
    client = matrix_client("telekundtjanst")
    client.post(_apply_url(request))
    response = client.post(_apply_url(request), follow=True, **EN)
    assert "This request has already been decided (Applied)." in response.content.decode()
    assert anna.history.filter(title="Sjuksköterska").count() == 1


def test_apply_returns_to_the_filtered_queue_but_never_off_site(matrix_client, anna, make_request):
    client = matrix_client("telekundtjanst")
    first, second = make_request(title="A"), make_request(person=anna, room="B 1")
    response = client.post(_apply_url(second), {"next": f"{QUEUE}?status=all"})
    assert response["Location"] == f"{QUEUE}?status=all"
    first.refresh_from_db()  # superseded by the second
    response = client.post(_apply_url(first), {"next": "https://evil.example/"})
    assert response["Location"] == QUEUE


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_dir_4_reject(matrix_client, anna, make_request, who, status):
    request = make_request(title="Sjuksköterska")
    response = matrix_client(who).post(_reject_url(request), {"reason": "Fel titel"})
    request.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert (request.status, request.decision_reason) == (RequestStatus.REJECTED, "Fel titel")
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert request.status == RequestStatus.PENDING


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_reject_form_page(matrix_client, anna, make_request, who, status):
    request = make_request(title="Sjuksköterska")
    response = matrix_client(who).get(_reject_url(request))
    assert response.status_code == (302 if who == "anonymous" else status)
    if status == 200:
        assert response.context["change_request"] == request
        assert "<ins>Sjuksköterska</ins>" in response.content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_needs_a_reason(matrix_client, anna, make_request, reason):
    request = make_request(title="Sjuksköterska")
    response = matrix_client("telekundtjanst").post(_reject_url(request), {"reason": reason})
    assert response.status_code == 200
    assert response.context["form"].has_error("reason", "required")
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_reject_a_decided_request_is_refused(matrix_client, anna, desk, make_request):
    request = make_request(title="Sjuksköterska")
    services.change_request_apply(actor=desk, request=request)
    response = matrix_client("telekundtjanst").post(_reject_url(request), {"reason": "Nej"}, **EN)
    assert response.status_code == 200
    assert "already been decided" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (RequestStatus.APPLIED, "")


def test_reject_unknown_request_is_404(matrix_client, world):
    response = matrix_client("telekundtjanst").post("/andringar/999999/avvisa/", {"reason": "x"})
    assert response.status_code == 404


# --- Tele kundtjänst edits an entry directly ----------------------------------------------


def _edit_url(person):
    return reverse("subscriptions:entry_edit", args=[person.pk])


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_entry_edit_form(matrix_client, anna, who, status):
    response = matrix_client(who).get(_edit_url(anna))
    assert response.status_code == (302 if who == "anonymous" else status)
    if status == 200:
        assert response.context["form"].initial["title"] == "Undersköterska"


@pytest.mark.parametrize("who, status", DESK_ONLY.items())
def test_entry_edit(matrix_client, world, anna, who, status):
    data = _form_data(anna, title="Sjuksköterska", unit=world.bibliotek.pk, reason="Ringde in")
    response = matrix_client(who).post(_edit_url(anna), data)
    anna.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("subscriptions:entry_history", args=[anna.pk])
        assert (anna.title, anna.unit) == ("Sjuksköterska", world.bibliotek)
        latest = anna.history.first()
        assert latest.history_user == world.people[who].user
        assert latest.history_change_reason == "Ringde in"
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert anna.title == "Undersköterska"


def test_entry_edit_unknown_person_is_404(matrix_client, world):
    assert matrix_client("telekundtjanst").get("/poster/999999/andra/").status_code == 404


def test_entry_edit_of_a_protected_identity_is_404_for_others(matrix_client, anna):
    Person.objects.filter(pk=anna.pk).update(protected_identity=True)
    assert matrix_client("colleague").get(_edit_url(anna)).status_code == 404
    assert matrix_client("telekundtjanst").get(_edit_url(anna)).status_code == 200


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("secondary_number", "12345", "invalid_number"),
        ("title", "x" * 201, "max_length"),
        ("unit", "999999", "invalid_choice"),
    ],
)
def test_entry_edit_bad_input_saves_nothing(matrix_client, anna, field, value, code):
    response = matrix_client("telekundtjanst").post(
        _edit_url(anna), _form_data(anna, **{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].has_error(field, code)
    assert anna.history.count() == 1


def test_entry_edit_unchanged_writes_no_history(matrix_client, anna):
    response = matrix_client("telekundtjanst").post(_edit_url(anna), _form_data(anna))
    assert response.status_code == 302
    assert anna.history.count() == 1


# --- History ------------------------------------------------------------------------------


def _history_url(person):
    return reverse("subscriptions:entry_history", args=[person.pk])


@pytest.mark.parametrize("who, status", HISTORY.items())
def test_dir_4_entry_history(matrix_client, world, anna, desk, make_request, who, status):
    request = make_request(title="Sjuksköterska", unit=world.hemtjanst.pk)
    services.change_request_apply(actor=desk, request=request)
    response = matrix_client(who).get(_history_url(anna), **EN)
    assert response.status_code == (302 if who == "anonymous" else status)
    body = response.content.decode()
    if status == 200:
        latest = response.context["history"][0]
        assert latest.who == world.people["telekundtjanst"].full_name
        # The reason is written when the request is applied, in the UI's language then.
        assert latest.reason == f"Ändringsbegäran nr {request.pk}"
        assert [(r.label, r.old, r.new) for r in latest.rows] == [
            ("Title", "Undersköterska", "Sjuksköterska"),
            ("Unit", "Hemtjänst Norr grupp 1", "Hemtjänst Norr"),
        ]
        assert "<ins>Sjuksköterska</ins>" in body
    else:
        assert "Sjuksköterska" not in body


@pytest.mark.parametrize("who, status", PROTECTED_HISTORY.items())
def test_org_4_history_of_a_protected_identity(matrix_client, anna, who, status):
    Person.objects.filter(pk=anna.pk).update(protected_identity=True)
    response = matrix_client(who).get(_history_url(anna))
    assert response.status_code == (302 if who == "anonymous" else status)
    assert (response.status_code == 200) is ("Östlund" in response.content.decode())


def test_history_unknown_person_is_404(matrix_client, world):
    assert matrix_client("telekundtjanst").get("/poster/999999/historik/").status_code == 404


def test_history_shows_the_number_swedish_way_and_who_created(matrix_client, world, desk):
    person = person_with_user(unit=world.grupp, username="cilla", title="Kock")
    services.entry_update(actor=desk, person=person, values={"secondary_number": "+46701234567"})
    response = matrix_client("telekundtjanst").get(_history_url(person))
    changed, created = response.context["history"]
    assert [(r.old, r.new) for r in changed.rows] == [(None, "070-123 45 67")]
    assert created.rows == [] and created.who is None


@pytest.mark.parametrize("count", [1, 3])
def test_history_query_count_is_constant(
    matrix_client, world, anna, desk, django_assert_num_queries, count
):
    units = [world.hemtjanst, world.vof, world.grupp]
    for i in range(count):
        services.entry_update(
            actor=desk, person=anna, values={"title": f"Titel {i}", "unit": units[i]}
        )
    client = matrix_client("employee")
    with django_assert_num_queries(8):
        response = client.get(_history_url(anna))
    assert len(response.context["history"]) == count + 1


def test_manager_sees_history_of_own_staff_only(matrix_client, world):
    """An enhetschef sees their unit and below, not a person of another unit."""
    elsewhere = PersonFactory(unit=world.bibliotek)
    assert matrix_client("manager").get(_history_url(elsewhere)).status_code == 403
