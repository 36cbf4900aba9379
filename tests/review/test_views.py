"""The annual review's pages: a role -> status table per view with one effect checked per
row, bad input with Swedish messages, query counts of the lists."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from review import services
from review.choices import Decision, ReviewStatus
from review.models import ReviewItem, ReviewRound, UnitReview
from subscriptions.choices import Status
from subscriptions.models import ChangeRequest
from tests.conftest import EVERYONE, statuses
from tests.review.conftest import YEAR, decide
from tests.services import pdf_text

INDEX = reverse("review:index")
# A unit's review: its managers, the förvaltningschef and Tele kundtjänst see it; to
# everyone else it does not exist.
SEE_REVIEW = statuses(404, manager=200, forvaltningschef=200, telekundtjanst=200, admin=200)
# Only the unit's manager decides and signs; those who see it but may not act get 403.
DECIDE = statuses(404, manager=302, forvaltningschef=403, telekundtjanst=403, admin=403)
CONFIRM = statuses(
    404, budgetchef=302, manager=403, forvaltningschef=403, telekundtjanst=403, admin=403
)
# Saving a whole review, whatever its number of rows: session, user, roles and scope (5),
# the review and its rows (2), then in one transaction the locked review and rows, one
# UPDATE and one history INSERT for the rows, and the review's status and its history.
QUERIES_TO_SAVE = 15
PROGRESS = statuses(403, forvaltningschef=200, telekundtjanst=200, admin=200)
OPEN_ROUND = statuses(403, telekundtjanst=302, admin=302)


def _decision(item, decision="keep", note="", version=None):
    prefix = f"item-{item.pk}-"
    return {
        prefix + "decision": decision,
        prefix + "note": note,
        prefix + "version": item.version if version is None else version,
    }


def _url(name, obj):
    return reverse(f"review:{name}", args=[obj.pk])


# --- Index and opening a round -------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_index(matrix_client, world, hemtjanst_review, who, status):
    response = matrix_client(who).get(INDEX)
    assert response.status_code == status
    if status == 200:
        shown = list(response.context["reviews"])
        assert shown == ([hemtjanst_review] if who == "manager" else [])
        has_open_form = response.context["form"] is not None
        assert has_open_form == (who in ("telekundtjanst", "admin"))
        if who == "manager":
            assert "Hemtjänst Norr" in response.content.decode()


@pytest.mark.parametrize("who, status", OPEN_ROUND.items())
def test_rev_1_open_round(matrix_client, phones, who, status):
    response = matrix_client(who).post(INDEX, {"year": YEAR, "deadline": "2099-03-31"})
    assert response.status_code == status
    if who in ("telekundtjanst", "admin"):
        review_round = ReviewRound.objects.get()
        assert (review_round.year, review_round.deadline) == (YEAR, date(2099, 3, 31))
        assert UnitReview.objects.filter(round=review_round).count() == 2
    else:
        assert not ReviewRound.objects.exists()


def test_open_round_twice_shows_a_swedish_message(matrix_client, review_round):
    response = matrix_client("telekundtjanst").post(INDEX, {"year": YEAR, "deadline": "2099-03-31"})
    assert response.status_code == 200
    assert response.context["form"].has_error("year")
    assert f"Den årliga översynen för {YEAR} är redan öppnad." in response.content.decode()
    assert ReviewRound.objects.count() == 1


def test_open_round_with_a_past_deadline_shows_the_error_next_to_it(matrix_client, phones):
    response = matrix_client("telekundtjanst").post(INDEX, {"year": YEAR, "deadline": "2020-01-01"})
    assert response.context["form"].has_error("deadline")
    assert "Välj en sista dag efter i dag." in response.content.decode()
    assert not ReviewRound.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_index_query_count_is_constant(
    matrix_client, world, desk, django_assert_num_queries, count
):
    from tests.factories import UnitFactory

    for n in range(count):
        unit = UnitFactory(name=f"Hemtjänst Norr grupp {n + 2}", parent=world.hemtjanst)
        # Every extra unit gets a phone, so its review belongs to Hemtjänst Norr... so
        # give each unit a manager of its own: one review each, all below the manager.
        unit.manager = world.people["manager"]
        unit.save()
        from subscriptions import services as subscription_services
        from subscriptions.choices import Kind

        subscription_services.subscription_create(
            actor=desk,
            kind=Kind.FIXED,
            number=f"+461921300{n}",
            extension=f"300{n}",
            holder=world.people["employee"],
            unit=unit,
            cost_centre=world.cost_centre,
        )
    services.review_round_open(actor=desk, year=YEAR, deadline=date(2099, 3, 31))
    client = matrix_client("manager")
    with django_assert_num_queries(7):
        response = client.get(INDEX)
    assert len(response.context["reviews"]) == count


# --- A unit's review -----------------------------------------------------------------------


@pytest.mark.parametrize("who, status", SEE_REVIEW.items())
def test_unit_review_page(matrix_client, hemtjanst_review, phones, who, status):
    response = matrix_client(who).get(_url("unit_review", hemtjanst_review))
    assert response.status_code == (302 if who == "anonymous" else status)
    body = response.content.decode()
    if status == 200:
        assert "019-21 10 00" in body and "Anna Östlund" in body
        assert response.context["can_decide"] == (who == "manager")
        assert ('name="item-' in body) == (who == "manager")
    else:
        assert "019-21 10 00" not in body


def test_unit_review_of_an_unknown_id_is_404(matrix_client, review_round):
    assert (
        matrix_client("telekundtjanst").get(reverse("review:unit_review", args=[999])).status_code
        == 404
    )


def test_unit_review_marks_candidates(matrix_client, world, phones, desk):
    from organisation.models import Person

    Person.objects.filter(pk=world.people["employee"].pk).update(is_active=False)
    review_round = services.review_round_open(actor=desk, year=YEAR)
    review = UnitReview.objects.get(round=review_round, unit=world.hemtjanst)
    body = matrix_client("manager").get(_url("unit_review", review)).content.decode()
    assert "Innehavaren har slutat eller är inaktiv" in body


def _review_of_phones(world, desk, count):
    """A round whose one review (Hemtjänst Norr) has `count` fixed phones."""
    from subscriptions import services as subscription_services
    from subscriptions.choices import Kind

    for n in range(count):
        subscription_services.subscription_create(
            actor=desk,
            kind=Kind.FIXED,
            number=f"+46192140{n:02d}",
            extension=f"40{n:02d}",
            holder=world.people["employee"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
    services.review_round_open(actor=desk, year=YEAR, deadline=date(2099, 3, 31))
    return UnitReview.objects.get()


@pytest.mark.parametrize("count", [1, 3])
def test_unit_review_query_count_is_constant(
    matrix_client, world, desk, django_assert_num_queries, count
):
    review = _review_of_phones(world, desk, count)
    client = matrix_client("manager")
    with django_assert_num_queries(8):
        response = client.get(_url("unit_review", review))
    assert len(response.context["items"]) == count


# --- Deciding every row at once ------------------------------------------------------------


def _form(review, choices=None, *, keep_rest=False):
    """The review page's form as its manager submits it: every row at its stored version,
    `choices` {item: (decision, note)} filled in, the other rows as they stand."""
    choices = choices or {}
    data = {}
    for item in review.items.all():
        decision, note = choices.get(item, (item.decision, item.note))
        data.update(_decision(item, decision, note))
    if keep_rest:
        data["keep_rest"] = "1"
    return data


@pytest.mark.parametrize("who, status", DECIDE.items())
def test_rev_1_decide_every_row_at_once(
    matrix_client, hemtjanst_review, item_of, phones, who, status
):
    anna, bo, reception = (item_of(phones[n]) for n in ("anna", "bo", "reception"))
    data = _form(
        hemtjanst_review,
        {anna: ("keep", ""), bo: ("cancel", "Slutat"), reception: ("change", "Ny funktion")},
    )
    client = matrix_client(who)
    response = client.post(_url("unit_review", hemtjanst_review), data)
    assert response.status_code == (302 if who == "anonymous" else status)
    decided = dict(hemtjanst_review.items.values_list("subscription__number", "decision"))
    if who == "manager":
        assert response["Location"] == _url("unit_review", hemtjanst_review)
        assert decided == {"+4619211000": "keep", "+46701234567": "cancel", "+4619211001": "change"}
        page = client.get(response["Location"]).content.decode()
        assert "3 beslut sparade." in page
    else:
        assert set(decided.values()) == {""}
        assert not ChangeRequest.objects.exists()


def test_saving_many_rows_keeps_history_per_row_and_starts_the_review(
    matrix_client, hemtjanst_review, item_of, phones, manager
):
    anna, bo = item_of(phones["anna"]), item_of(phones["bo"])
    data = _form(hemtjanst_review, {anna: ("keep", ""), bo: ("cancel", "Slutat")})
    matrix_client("manager").post(_url("unit_review", hemtjanst_review), data)
    for item, reason in ((anna, "Beslut: Behåll"), (bo, "Beslut: Säg upp")):
        latest = item.history.first()
        assert (latest.history_user, latest.history_change_reason) == (manager, reason)
        assert latest.version == 1
    reception = item_of(phones["reception"])
    assert (reception.decision, reception.history.count()) == ("", 1)  # left undecided
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.status == ReviewStatus.IN_PROGRESS


def test_decide_change_sends_a_change_request(matrix_client, hemtjanst_review, item_of, phones):
    item = item_of(phones["bo"])
    matrix_client("manager").post(
        _url("unit_review", hemtjanst_review),
        _form(hemtjanst_review, {item: ("change", "Byt till fast telefon")}),
    )
    request = ChangeRequest.objects.get()
    assert request.object_id == phones["bo"].pk and "Byt till fast telefon" in request.message


@pytest.mark.parametrize(
    "decision, note, field, message",
    [
        ("change", "", "note", "Skriv vad som ska ändras."),
        ("maybe", "", "decision", "Välj ett giltigt alternativ."),
    ],
)
def test_decide_bad_input_shows_a_swedish_message_and_saves_nothing(
    matrix_client, hemtjanst_review, item_of, phones, decision, note, field, message
):
    item, other = item_of(phones["anna"]), item_of(phones["bo"])
    data = _form(hemtjanst_review, {item: (decision, note), other: ("keep", "")})
    response = matrix_client("manager").post(_url("unit_review", hemtjanst_review), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "Inget sparades; se de markerade raderna nedan." in body
    form = next(i.form for i in response.context["items"] if i.pk == item.pk)
    assert form.has_error(field)
    # The manager's input on every row is still in the form.
    other_form = next(i.form for i in response.context["items"] if i.pk == other.pk)
    assert other_form["decision"].value() == "keep"
    assert set(hemtjanst_review.items.values_list("decision", "version")) == {("", 0)}
    assert not ChangeRequest.objects.exists()


def test_a_row_changed_by_someone_else_is_reported_and_the_rest_saved(
    world, client, hemtjanst_review, item_of, phones
):
    """Two clients: the manager loads the page; a deputy manager above decides Anna's row;
    the manager then saves the whole page. Anna's row is reported in Swedish with the
    deputy's decision and keeps the manager's input; Bo's and the reception's are saved."""
    from django.test import Client

    from common.roles import Role
    from tests.factories import person_with_user

    deputy = person_with_user(
        unit=world.vof, roles=[Role.ENHETSCHEF], first_name="Vera", last_name="Ärlig"
    )
    world.vof.manager = deputy
    world.vof.save()
    anna, bo, reception = (item_of(phones[n]) for n in ("anna", "bo", "reception"))
    client.force_login(world.people["manager"].user)
    url = _url("unit_review", hemtjanst_review)
    loaded = client.get(url)  # version 0 of every row
    assert 'value="0"' in loaded.content.decode()
    seen = _form(
        hemtjanst_review,
        {anna: ("keep", "Behövs"), bo: ("cancel", "Slutat"), reception: ("keep", "")},
    )
    other = Client()
    other.force_login(deputy.user)
    other.post(url, _form(hemtjanst_review, {anna: ("cancel", "Har slutat")}))

    response = client.post(url, seen)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "019-21 10 00 Anna Östlund: Vera Ärlig beslutade ”Säg upp” (anteckning: Har slutat)"
        in body.replace("&quot;", '"').replace("&#x27;", "'")
    ), body
    decided = {i.pk: (i.decision, i.decided_by_id) for i in hemtjanst_review.items.all()}
    assert decided == {
        anna.pk: ("cancel", deputy.user.pk),
        bo.pk: ("cancel", world.people["manager"].user.pk),
        reception.pk: ("keep", world.people["manager"].user.pk),
    }
    # The manager's input for Anna's row is in the form, on the row's current version:
    form = next(i.form for i in response.context["items"] if i.pk == anna.pk)
    assert form["decision"].value() == "keep" and form["note"].value() == "Behövs"
    assert form["version"].value() == 1
    # ... so saving it again replaces the deputy's decision.
    client.post(url, _form(hemtjanst_review, {anna: ("keep", "Behövs")}))
    anna.refresh_from_db()
    assert (anna.decision, anna.note, anna.version) == ("keep", "Behövs", 2)


def test_keep_all_others_keeps_only_the_rows_left_empty(
    matrix_client, hemtjanst_review, item_of, phones, manager
):
    anna, bo, reception = (item_of(phones[n]) for n in ("anna", "bo", "reception"))
    decide(actor=manager, item=reception, decision="change", note="Ny funktion")
    data = _form(hemtjanst_review, {bo: ("cancel", "Slutat")}, keep_rest=True)
    response = matrix_client("manager").post(_url("unit_review", hemtjanst_review), data)
    assert response.status_code == 302
    decided = {i.pk: i.decision for i in hemtjanst_review.items.all()}
    assert decided == {anna.pk: "keep", bo.pk: "cancel", reception.pk: "change"}
    assert reception.history.count() == 2  # created, changed: not touched again


def test_keep_all_others_then_sign(matrix_client, hemtjanst_review, tmp_path):
    client = matrix_client("manager")
    page = client.get(_url("unit_review", hemtjanst_review)).content.decode()
    assert 'name="keep_rest"' in page
    client.post(_url("unit_review", hemtjanst_review), _form(hemtjanst_review, keep_rest=True))
    response = client.post(_url("unit_review_sign", hemtjanst_review), follow=True)
    assert "Översynen är signerad." in response.content.decode()
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.is_signed
    assert "Behåll" in pdf_text(bytes(hemtjanst_review.pdf), tmp_path)


def test_saving_the_page_unchanged_says_nothing_changed(
    matrix_client, hemtjanst_review, decide_all
):
    decide_all()
    client = matrix_client("manager")
    response = client.post(
        _url("unit_review", hemtjanst_review), _form(hemtjanst_review), follow=True
    )
    assert "Inget ändrades." in response.content.decode()
    assert all(item.history.count() == 2 for item in hemtjanst_review.items.all())


def test_deciding_on_another_units_review_is_404_for_a_manager(matrix_client, phones, review_round):
    item = ReviewItem.objects.get(subscription=phones["library"])
    response = matrix_client("manager").post(
        _url("unit_review", item.unit_review), _form(item.unit_review, {item: ("keep", "")})
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.decision == ""


def test_rows_of_another_review_in_the_post_are_ignored(
    matrix_client, hemtjanst_review, phones, review_round
):
    library = ReviewItem.objects.get(subscription=phones["library"])
    data = _form(hemtjanst_review) | _decision(library, "cancel")
    response = matrix_client("manager").post(_url("unit_review", hemtjanst_review), data)
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.decision == ""


@pytest.mark.parametrize("count", [3, 30])
def test_saving_every_row_at_once_takes_a_fixed_number_of_queries(
    matrix_client, world, desk, django_assert_num_queries, count
):
    review = _review_of_phones(world, desk, count)
    first = review.items.order_by("pk").first()
    data = _form(review, {first: ("cancel", "Slutat")}, keep_rest=True)
    client = matrix_client("manager")
    with django_assert_num_queries(QUERIES_TO_SAVE):
        response = client.post(_url("unit_review", review), data)
    assert response.status_code == 302
    assert review.items.filter(decision="keep").count() == count - 1
    assert review.items.get(pk=first.pk).decision == "cancel"


# --- Signing and the PDF ---------------------------------------------------------------


@pytest.mark.parametrize("who, status", DECIDE.items())
def test_rev_1_sign(matrix_client, hemtjanst_review, decide_all, who, status):
    decide_all()
    response = matrix_client(who).post(_url("unit_review_sign", hemtjanst_review))
    assert response.status_code == (302 if who == "anonymous" else status)
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.is_signed == (who == "manager")


def test_sign_with_undecided_rows_says_so_in_swedish(matrix_client, hemtjanst_review):
    client = matrix_client("manager")
    response = client.post(_url("unit_review_sign", hemtjanst_review), follow=True)
    assert "3 abonnemang saknar beslut." in response.content.decode()
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.status == ReviewStatus.NOT_STARTED


def test_sign_twice_says_it_is_signed_and_the_page_has_no_forms(
    matrix_client, hemtjanst_review, decide_all
):
    decide_all()
    client = matrix_client("manager")
    client.post(_url("unit_review_sign", hemtjanst_review))
    signed_at = UnitReview.objects.get(pk=hemtjanst_review.pk).signed_at
    response = client.post(_url("unit_review_sign", hemtjanst_review), follow=True)
    body = response.content.decode()
    assert "Översynen är signerad och kan inte längre ändras." in body
    assert 'name="item-' not in body and "Signera översynen" not in body
    assert UnitReview.objects.get(pk=hemtjanst_review.pk).signed_at == signed_at
    item = hemtjanst_review.items.first()
    response = client.post(
        _url("unit_review", hemtjanst_review), _decision(item, "cancel"), follow=True
    )
    assert "Översynen är signerad och kan inte längre ändras." in response.content.decode()
    item.refresh_from_db()
    assert item.decision == Decision.KEEP


@pytest.mark.parametrize("who, status", SEE_REVIEW.items())
def test_rev_1_pdf_download(
    matrix_client, world, hemtjanst_review, decide_all, manager, tmp_path, who, status
):
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    response = matrix_client(who).get(_url("unit_review_pdf", hemtjanst_review))
    assert response.status_code == (302 if who == "anonymous" else status)
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        text = pdf_text(response.content, tmp_path)
        assert "Hemtjänst Norr" in text and world.people["manager"].full_name in text


def test_pdf_of_an_unsigned_review_is_404(matrix_client, hemtjanst_review):
    assert (
        matrix_client("manager").get(_url("unit_review_pdf", hemtjanst_review)).status_code == 404
    )


# --- Confirming a cancellation ---------------------------------------------------------


@pytest.mark.parametrize("who, status", CONFIRM.items())
def test_sub_5_confirm_cancellation(matrix_client, item_of, phones, manager, who, status):
    item = item_of(phones["anna"])
    decide(actor=manager, item=item, decision="cancel", note="Slutat", version=0)
    response = matrix_client(who).post(_url("cancellation_confirm", item))
    assert response.status_code == (302 if who == "anonymous" else status)
    phones["anna"].refresh_from_db()
    assert (phones["anna"].status == Status.CANCELLED) == (who == "budgetchef")


def test_budget_manager_sees_cancellations_to_confirm(matrix_client, item_of, phones, manager):
    item = item_of(phones["anna"])
    decide(actor=manager, item=item, decision="cancel", note="Slutat", version=0)
    response = matrix_client("budgetchef").get(INDEX)
    assert list(response.context["cancellations"]) == [item]
    assert "Bekräfta uppsägning" in response.content.decode()
    assert not list(matrix_client("manager").get(INDEX).context["cancellations"])


# --- Progress ------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", PROGRESS.items())
def test_rev_1_progress(
    matrix_client, world, hemtjanst_review, item_of, phones, manager, who, status
):
    decide(actor=manager, item=item_of(phones["anna"]), decision="keep", version=0)
    response = matrix_client(who).get(reverse("review:progress", args=[YEAR]))
    assert response.status_code == status
    if status == 200:
        rows = {row.forvaltning: row for row in response.context["rows"]}
        if who == "forvaltningschef":
            assert set(rows) == {world.vof}  # their own förvaltning only
        else:
            assert set(rows) == {world.vof, world.kfv}
            assert (rows[world.kfv].not_started, rows[world.kfv].total) == (1, 1)
        assert (rows[world.vof].signed, rows[world.vof].in_progress) == (0, 1)
        assert "1 av 3" in response.content.decode()


def test_progress_of_an_unknown_year_is_404(matrix_client, review_round):
    assert (
        matrix_client("telekundtjanst").get(reverse("review:progress", args=[1999])).status_code
        == 404
    )


@pytest.mark.parametrize("count", [1, 3])
def test_progress_query_count_is_constant(
    matrix_client, world, desk, django_assert_num_queries, count
):
    from subscriptions import services as subscription_services
    from subscriptions.choices import Kind
    from tests.factories import PersonFactory, UnitFactory

    for n in range(count):
        unit = UnitFactory(name=f"Enhet {n}", parent=world.hemtjanst)
        unit.manager = PersonFactory(unit=unit)
        unit.save()
        subscription_services.subscription_create(
            actor=desk,
            kind=Kind.FIXED,
            number=f"+461921500{n}",
            extension=f"500{n}",
            holder=unit.manager,
            unit=unit,
            cost_centre=world.cost_centre,
        )
    review_round = services.review_round_open(actor=desk, year=YEAR, deadline=date(2099, 3, 31))
    client = matrix_client("telekundtjanst")
    with django_assert_num_queries(7):
        response = client.get(reverse("review:progress", args=[YEAR]))
    assert sum(row.total for row in response.context["rows"]) == count
    assert review_round.unit_reviews.count() == count


@pytest.mark.parametrize("who, status", PROGRESS.items())
def test_progress_csv(matrix_client, world, hemtjanst_review, who, status):
    response = matrix_client(who).get(reverse("review:progress_csv", args=[YEAR]))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
        assert rows[0][:4] == ["Förvaltning", "Enhet", "Chef", "Status"]
        units = {row[1]: row for row in rows[1:]}
        assert units["Hemtjänst Norr"][3] == "Inte påbörjad"
        assert units["Hemtjänst Norr"][2] == world.people["manager"].full_name
        assert ("Kultur- och fritidsförvaltningen" in units) == (who != "forvaltningschef")


@pytest.mark.parametrize("who, status", PROGRESS.items())
def test_progress_xlsx(matrix_client, hemtjanst_review, decide_all, manager, who, status):
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    response = matrix_client(who).get(reverse("review:progress_xlsx", args=[YEAR]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert rows["Hemtjänst Norr"][3:6] == ("Signerad", 3, 3)


# --- The start page's link ---------------------------------------------------------------


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_start_page_links_to_the_review_while_the_manager_has_one_to_sign(
    matrix_client, hemtjanst_review, decide_all, manager, who, status
):
    response = matrix_client(who).get("/")
    assert response.status_code == status
    link = f'href="/oversyn/enhet/{hemtjanst_review.pk}/"'
    if status == 200:
        # The inbox links to the one review to sign (issue 19.1). The förvaltningschef of
        # Vård och omsorg has no review of the förvaltning's own.
        has_link = link in response.content.decode().split("</header>")[1]
        assert has_link == (who == "manager")
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    if who == "manager":
        response = matrix_client(who).get("/")
        assert link not in response.content.decode()
        assert "review.to_sign" not in [item.key for item in response.context["inbox"]]


@pytest.mark.parametrize("who", ["manager", "forvaltningschef", "budgetchef", "telekundtjanst"])
def test_navigation_links_to_the_review_for_the_roles_that_use_it(matrix_client, world, who):
    header = matrix_client(who).get("/").content.decode().split("</header>")[0]
    assert 'href="/oversyn/"' in header
    assert 'href="/oversyn/"' not in matrix_client("employee").get("/").content.decode()


def test_confirming_twice_says_so_in_swedish(matrix_client, item_of, phones, manager):
    item = item_of(phones["anna"])
    decide(actor=manager, item=item, decision="cancel", version=0)
    client = matrix_client("budgetchef")
    client.post(_url("cancellation_confirm", item))
    response = client.post(_url("cancellation_confirm", item), follow=True)
    assert "Uppsägningen är redan bekräftad." in response.content.decode()
    assert item.history.count() == 3  # created, decided, confirmed


def test_confirming_a_kept_row_changes_nothing(matrix_client, item_of, phones, manager):
    item = item_of(phones["anna"])
    decide(actor=manager, item=item, decision="keep", version=0)
    response = matrix_client("budgetchef").post(_url("cancellation_confirm", item), follow=True)
    assert "Översynen beslutade inte att säga upp det här abonnemanget." in (
        response.content.decode()
    )
    phones["anna"].refresh_from_db()
    assert phones["anna"].status == Status.ACTIVE


@pytest.mark.parametrize("count", [1, 3])
def test_cancellations_to_confirm_query_count_is_constant(
    matrix_client, world, desk, manager, django_assert_num_queries, count
):
    from subscriptions import services as subscription_services
    from subscriptions.choices import Kind

    for n in range(count):
        subscription_services.subscription_create(
            actor=desk,
            kind=Kind.FIXED,
            number=f"+461921600{n}",
            extension=f"600{n}",
            holder=world.people["employee"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
    services.review_round_open(actor=desk, year=YEAR, deadline=date(2099, 3, 31))
    for item in ReviewItem.objects.all():
        decide(actor=manager, item=item, decision="cancel", version=0)
    client = matrix_client("budgetchef")
    with django_assert_num_queries(6):
        response = client.get(INDEX)
    assert len(response.context["cancellations"]) == count
