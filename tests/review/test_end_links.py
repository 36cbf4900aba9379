"""SUB-5: "Säg upp" and "Lämna över" on the annual review's candidate rows."""

import pytest
from django.urls import reverse

from organisation.leavers import person_mark_left
from subscriptions.models import Subscription


@pytest.mark.parametrize(
    "who, linked", [("manager", True), ("telekundtjanst", True), ("forvaltningschef", False)]
)
def test_a_candidate_row_links_cancel_and_hand_over(
    matrix_client, world, desk, phones, who, linked, django_capture_on_commit_callbacks
):
    # Bo has left: his mobile is a candidate ("the holder has left") in the new round.
    with django_capture_on_commit_callbacks(execute=True):
        person_mark_left(actor=desk, person=world.people["colleague"], reason="Slutat")
    from datetime import date

    from review import services as review_services
    from review.models import UnitReview

    review_round = review_services.review_round_open(
        actor=desk, year=2026, deadline=date(2099, 3, 31)
    )
    review = UnitReview.objects.get(round=review_round, unit=world.hemtjanst)
    client = matrix_client(who)
    body = client.get(review.get_absolute_url()).content.decode()
    bo = phones["bo"]
    hand_over = reverse("subscriptions:subscription_hand_over", args=[bo.pk])
    assert (hand_over in body) is linked
    # Anna's phone is no candidate: no link on her row.
    assert reverse("subscriptions:subscription_end", args=[phones["anna"].pk]) not in body
    if linked:
        response = client.post(hand_over, {"holder": world.people["employee"].pk})
        assert response.status_code == 302
        assert Subscription.objects.get(pk=bo.pk).holder == world.people["employee"]
