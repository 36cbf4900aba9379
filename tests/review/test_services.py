"""REV-1 and SUB-5: opening a round, deciding rows, confirming cancellations, signing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organisation.models import Person
from review import services
from review.choices import CandidateReason, Decision, ReviewStatus
from review.models import ReviewItem, ReviewRound, UnitReview
from subscriptions import services as subscription_services
from subscriptions.choices import Kind, RequestKind, RequestStatus, Status
from subscriptions.models import ChangeRequest
from tests.review.conftest import YEAR, decide
from tests.services import pdf_metadata, pdf_text


def _messages(exc_info):
    return " ".join(exc_info.value.messages)


# --- Opening -----------------------------------------------------------------------------


def test_rev_1_round_has_one_review_per_managed_unit_and_a_row_per_subscription(
    world, phones, review_round
):
    reviews = {r.unit: r for r in review_round.unit_reviews.all()}
    # Grupp 1 has no manager: Hemtjänst Norr reviews its phones; Stadsbiblioteket's goes to
    # the förvaltning (its chef); Vård- och omsorgsförvaltningen has no phones of its own.
    assert set(reviews) == {world.hemtjanst, world.kfv}
    rows = set(reviews[world.hemtjanst].items.values_list("subscription", flat=True))
    assert rows == {phones["anna"].pk, phones["bo"].pk, phones["reception"].pk}
    assert [i.subscription for i in reviews[world.kfv].items.all()] == [phones["library"]]
    assert all(r.status == ReviewStatus.NOT_STARTED for r in reviews.values())
    assert review_round.history.first().history_user == world.people["telekundtjanst"].user


def test_cancelled_subscriptions_are_not_reviewed(world, phones, desk):
    subscription_services.subscription_cancel(actor=desk, subscription=phones["bo"], reason="x")
    review_round = services.review_round_open(actor=desk, year=YEAR)
    assert not ReviewItem.objects.filter(
        unit_review__round=review_round, subscription=phones["bo"]
    ).exists()


def test_sub_5_candidates_are_marked_with_the_reason(world, phones, desk):
    Person.objects.filter(pk=world.people["employee"].pk).update(is_active=False)
    Person.objects.filter(pk=world.people["colleague"].pk).update(unit=world.bibliotek)
    services.review_round_open(actor=desk, year=YEAR)
    reasons = dict(ReviewItem.objects.values_list("subscription", "candidate_reason"))
    assert reasons == {
        phones["anna"].pk: CandidateReason.HOLDER_INACTIVE,
        phones["bo"].pk: CandidateReason.HOLDER_ELSEWHERE,
        phones["reception"].pk: "",
        phones["library"].pk: "",
    }


def test_sub_5_no_traffic_for_months_marks_a_candidate(world, phones, desk):
    """Once costs are imported, a phone without traffic in the last
    unused_months (guideline) months is a candidate (costs.selectors.unused_subscription_ids)."""
    from subscriptions.models import Subscription
    from tests.costs.conftest import usage

    Subscription.objects.update(activated_on=date(2026, 1, 1))
    for month in ("2026-08", "2026-09", "2026-10"):
        usage(phones["anna"], month)  # the fee only: no traffic
        usage(phones["bo"], month, domestic=12)
        usage(phones["reception"], month, domestic=3)
        usage(phones["library"], month, data=40)
    services.review_round_open(actor=desk, year=YEAR)
    reasons = dict(ReviewItem.objects.values_list("subscription", "candidate_reason"))
    assert reasons == {
        phones["anna"].pk: CandidateReason.NO_TRAFFIC,
        phones["bo"].pk: "",
        phones["reception"].pk: "",
        phones["library"].pk: "",
    }


def test_holder_in_a_unit_below_the_subscriptions_unit_is_no_candidate(world, phones, desk):
    Person.objects.filter(pk=world.people["colleague"].pk).update(unit=world.hemtjanst)
    phones["bo"].unit = world.hemtjanst
    phones["bo"].save()
    Person.objects.filter(pk=world.people["colleague"].pk).update(unit=world.grupp)
    services.review_round_open(actor=desk, year=YEAR)
    assert ReviewItem.objects.get(subscription=phones["bo"]).candidate_reason == ""


def test_opening_the_same_year_twice_is_refused_and_changes_nothing(review_round, desk):
    with pytest.raises(ValidationError) as exc_info:
        services.review_round_open(actor=desk, year=YEAR)
    assert "redan öppnad" in _messages(exc_info)
    assert ReviewRound.objects.count() == 1
    assert UnitReview.objects.count() == 2


def test_a_deadline_in_the_past_is_refused(phones, desk):
    with pytest.raises(ValidationError) as exc_info:
        services.review_round_open(actor=desk, year=YEAR, deadline=timezone.localdate())
    assert exc_info.value.message_dict == {"deadline": ["Välj en sista dag efter i dag."]}
    assert not ReviewRound.objects.exists()


def test_the_round_opens_by_itself_on_the_set_day_once(phones, set_guideline):
    set_guideline(review_opens="02-01", review_deadline_days=45)
    assert services.review_round_open_if_due(date(YEAR, 1, 31)) is None
    assert not ReviewRound.objects.exists()
    opened = services.review_round_open_if_due(date(YEAR, 2, 1))
    assert opened.year == YEAR and opened.opened_by is None
    assert opened.deadline == timezone.localdate() + timedelta(days=45)
    assert services.review_round_open_if_due(date(YEAR, 2, 2)) is None
    assert ReviewRound.objects.count() == 1


def test_no_opening_day_means_only_tele_kundtjanst_opens(phones, set_guideline):
    set_guideline(review_opens="")
    assert services.review_round_open_if_due(date(YEAR, 12, 31)) is None
    assert not ReviewRound.objects.exists()


# --- Deciding ------------------------------------------------------------------------------


def test_keep_records_who_and_when_and_starts_the_review(
    hemtjanst_review, item_of, phones, manager
):
    item = item_of(phones["anna"])
    decide(actor=manager, item=item, decision="keep", version=0)
    item.refresh_from_db()
    hemtjanst_review.refresh_from_db()
    assert (item.decision, item.decided_by, item.version) == (Decision.KEEP, manager, 1)
    assert item.decided_at is not None
    assert hemtjanst_review.status == ReviewStatus.IN_PROGRESS
    assert item.history.first().history_user == manager


def test_change_opens_a_change_request_for_tele_kundtjanst(world, item_of, phones, manager):
    item = item_of(phones["bo"])
    decide(actor=manager, item=item, decision="change", note="Byt till fast telefon", version=0)
    item.refresh_from_db()
    request = ChangeRequest.objects.get()
    assert item.change_request == request
    assert (request.kind, request.status, request.target) == (
        RequestKind.SUBSCRIPTION,
        RequestStatus.PENDING,
        phones["bo"],
    )
    assert request.forvaltning == world.vof
    assert "Byt till fast telefon" in request.message and str(YEAR) in request.message
    # Acted on: the decision stands, and a later decision on the row comes back unsaved.
    result = decide(actor=manager, item=item, decision="keep", version=item.version)
    assert (result.saved, result.conflicts) == ([], [item])
    assert ReviewItem.objects.get(pk=item.pk).decision == Decision.CHANGE


def test_change_without_a_note_is_refused(item_of, phones, manager):
    item = item_of(phones["bo"])
    with pytest.raises(ValidationError) as exc_info:
        decide(actor=manager, item=item, decision="change", note=" ", version=0)
    assert exc_info.value.message_dict == {"note": ["Skriv vad som ska ändras."]}
    item.refresh_from_db()
    assert item.decision == "" and not ChangeRequest.objects.exists()


def test_sub_5_cancel_waits_for_the_budget_manager_then_quarantines_the_number(
    world, item_of, phones, manager, desk
):
    item = item_of(phones["anna"])
    decide(actor=manager, item=item, decision="cancel", note="Slutat", version=0)
    phones["anna"].refresh_from_db()
    assert phones["anna"].status == Status.ACTIVE  # not until confirmed
    item.refresh_from_db()
    assert item.awaits_confirmation
    # The manager is not the budget manager of cost centre 4100.
    with pytest.raises(ValidationError):
        services.cancellation_confirm(actor=manager, item=item)
    budget = world.people["budgetchef"].user
    services.cancellation_confirm(actor=budget, item=item)
    item.refresh_from_db()
    phones["anna"].refresh_from_db()
    assert phones["anna"].status == Status.CANCELLED
    assert phones["anna"].cancelled_on == timezone.localdate()
    assert (item.cancel_confirmed_by, item.is_final) == (budget, True)
    assert phones["anna"].history.first().history_user == budget
    with pytest.raises(ValidationError) as exc_info:
        services.cancellation_confirm(actor=budget, item=item)
    assert "redan bekräftad" in _messages(exc_info)
    # The number rests: a new subscription may not have it yet.
    with pytest.raises(ValidationError) as exc_info:
        subscription_services.subscription_create(
            actor=desk,
            kind=Kind.FIXED,
            number="+4619211000",
            extension="1000",
            holder=world.people["colleague"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
    assert "karantän" in _messages(exc_info)


def test_a_manager_who_is_also_budget_manager_cancels_at_once(world, item_of, phones, manager):
    world.cost_centre.budget_manager = world.people["manager"]
    world.cost_centre.save()
    from django.contrib.auth.models import Group

    manager.groups.add(Group.objects.get_or_create(name="budgetchef")[0])
    manager = type(manager).objects.get(pk=manager.pk)  # drop the cached roles
    item = item_of(phones["bo"])
    decide(actor=manager, item=item, decision="cancel", version=0)
    phones["bo"].refresh_from_db()
    assert phones["bo"].status == Status.CANCELLED


def test_deciding_outside_ones_units_is_refused(world, review_round, phones):
    library_item = ReviewItem.objects.get(subscription=phones["library"])
    for who in ("manager", "budgetchef", "telekundtjanst", "employee"):
        with pytest.raises(ValidationError) as exc_info:
            decide(actor=world.people[who].user, item=library_item, decision="keep", version=0)
        assert "enheter som du är chef för" in _messages(exc_info)
    library_item.refresh_from_db()
    assert library_item.decision == "" and library_item.version == 0


def test_the_forvaltningschef_reviews_the_forvaltnings_own_phones(world, review_round, phones):
    library_item = ReviewItem.objects.get(subscription=phones["library"])
    kfv_chef = world.people["telesamordnare_other"].unit.forvaltning.manager.user
    decide(actor=kfv_chef, item=library_item, decision="keep", version=0)
    assert ReviewItem.objects.get(pk=library_item.pk).decision == Decision.KEEP


def test_a_stale_version_two_managers_at_once_changes_nothing(world, item_of, phones, manager):
    """Both managers saw version 0; the second one's decision is reported, not saved."""
    item = item_of(phones["anna"])
    decide(actor=manager, item=item, decision="keep", version=0)
    fchef_above = world.people["manager"].user  # the same page, opened twice
    result = decide(actor=fchef_above, item=item, decision="cancel", note="", version=0)
    assert result.saved == []
    assert [(i.pk, i.decision, i.decided_by) for i in result.conflicts] == [
        (item.pk, Decision.KEEP, manager)
    ]
    item.refresh_from_db()
    assert (item.decision, item.version) == (Decision.KEEP, 1)
    assert item.history.count() == 2  # created, kept


def _row(item, decision, note="", version=0):
    return services.RowDecision(item_id=item.pk, decision=decision, note=note, version=version)


def test_rev_1_many_rows_in_one_call_a_stale_one_is_reported_the_rest_saved(
    hemtjanst_review, item_of, phones, manager
):
    anna, bo, reception = (item_of(phones[n]) for n in ("anna", "bo", "reception"))
    decide(actor=manager, item=anna, decision="cancel", note="Slutat", version=0)
    result = services.review_decide(
        actor=manager,
        unit_review=hemtjanst_review,
        rows=[_row(anna, "keep"), _row(bo, "keep"), _row(reception, "change", "Ny funktion")],
    )
    assert [i.pk for i in result.saved] == [bo.pk, reception.pk]
    assert [(i.pk, i.decision, i.note) for i in result.conflicts] == [
        (anna.pk, Decision.CANCEL, "Slutat")
    ]
    decided = dict(hemtjanst_review.items.values_list("pk", "decision"))
    assert decided == {anna.pk: "cancel", bo.pk: "keep", reception.pk: "change"}
    assert ChangeRequest.objects.get().object_id == phones["reception"].pk
    history = ReviewItem.objects.get(pk=bo.pk).history.all()  # newest first
    assert history.count() == 2
    assert (history[0].history_change_reason, history[0].history_user) == (
        "Beslut: Behåll",
        manager,
    )


def test_a_stale_row_already_as_submitted_is_no_conflict(
    hemtjanst_review, item_of, phones, manager
):
    anna = item_of(phones["anna"])
    decide(actor=manager, item=anna, decision="keep", version=0)
    result = decide(actor=manager, item=anna, decision="keep", version=0)
    assert (result.saved, result.conflicts) == ([], [])
    assert anna.history.count() == 2


def test_bad_input_in_one_row_saves_no_row(hemtjanst_review, item_of, phones, manager):
    anna, bo = item_of(phones["anna"]), item_of(phones["bo"])
    with pytest.raises(ValidationError) as exc_info:
        services.review_decide(
            actor=manager,
            unit_review=hemtjanst_review,
            rows=[_row(anna, "keep"), _row(bo, "change", "  ")],
        )
    (error,) = exc_info.value.error_dict["note"]
    assert error.params == {"item": bo.pk}
    assert set(hemtjanst_review.items.values_list("decision", "version")) == {("", 0)}
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.status == ReviewStatus.NOT_STARTED


def test_a_row_of_another_review_saves_nothing(
    hemtjanst_review, item_of, phones, manager, review_round
):
    library = ReviewItem.objects.get(subscription=phones["library"])
    with pytest.raises(ValidationError) as exc_info:
        services.review_decide(
            actor=manager,
            unit_review=hemtjanst_review,
            rows=[_row(item_of(phones["anna"]), "keep"), _row(library, "keep")],
        )
    assert "hör inte till den här översynen" in _messages(exc_info)
    assert not ReviewItem.objects.exclude(decision="").exists()


def test_an_unknown_decision_is_refused(item_of, phones, manager):
    with pytest.raises(ValidationError):
        decide(actor=manager, item=item_of(phones["anna"]), decision="x", version=0)


# --- Signing -------------------------------------------------------------------------------


def test_signing_with_undecided_rows_is_refused_and_changes_nothing(
    hemtjanst_review, item_of, phones, manager
):
    decide(actor=manager, item=item_of(phones["anna"]), decision="keep", version=0)
    with pytest.raises(ValidationError) as exc_info:
        services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    assert "2 abonnemang saknar beslut" in _messages(exc_info)
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.status == ReviewStatus.IN_PROGRESS
    assert hemtjanst_review.pdf is None and hemtjanst_review.signed_at is None


def test_rev_1_signed_review_is_a_pdf_with_every_row_and_decision(
    world, hemtjanst_review, item_of, phones, manager, tmp_path
):
    decide(actor=manager, item=item_of(phones["anna"]), decision="keep", version=0)
    decide(actor=manager, item=item_of(phones["bo"]), decision="cancel", note="Slutat", version=0)
    decide(
        actor=manager,
        item=item_of(phones["reception"]),
        decision="change",
        note="Ny funktion",
        version=0,
    )
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.status == ReviewStatus.SIGNED
    assert hemtjanst_review.signed_by == manager
    data = bytes(hemtjanst_review.pdf)
    assert data.startswith(b"%PDF-")
    assert 'pdfaid:part="3"' in pdf_metadata(data, tmp_path)  # PDF/A-3
    text = pdf_text(data, tmp_path)
    assert f"Årlig översyn {YEAR}: Hemtjänst Norr" in text
    assert "Vård- och omsorgsförvaltningen" in text
    assert world.people["manager"].full_name in text
    assert timezone.localdate().strftime("%Y-%m-%d") in text
    for number, decision in (
        ("019-21 10 00", "Behåll"),
        ("070-123 45 67", "Säg upp"),
        ("019-21 10 01", "Ändra"),
    ):
        line = next((line for line in text.splitlines() if number in line), text)
        assert decision in line, line
    assert "Anna Östlund" in text and "Receptionen" in text
    assert "Slutat" in text and "Ny funktion" in text


def test_a_signed_review_is_read_only(hemtjanst_review, item_of, phones, manager, decide_all):
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    history = hemtjanst_review.history.count()
    item = item_of(phones["anna"])
    with pytest.raises(ValidationError) as exc_info:
        decide(actor=manager, item=item, decision="cancel", version=item.version)
    assert "signerad och kan inte längre ändras" in _messages(exc_info)
    with pytest.raises(ValidationError) as exc_info:
        services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    assert "signerades redan" in _messages(exc_info)
    item.refresh_from_db()
    assert item.decision == Decision.KEEP
    assert hemtjanst_review.history.count() == history
