"""The demo municipality's annual review: this year's round is open and the demo
enhetschef finds their unit's review; a second run opens no second round."""

from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from review.models import ReviewRound, UnitReview
from review.selectors import has_open_review, reviews_to_decide
from tests.demo.test_seed_demo import seed  # noqa: F401


def test_demo_review_round_once(seed, client):  # noqa: F811
    seed()
    review_round = ReviewRound.objects.get()
    assert review_round.year == timezone.localdate().year
    assert review_round.opened_by.username == "telekundtjanst"
    reviews = UnitReview.objects.count()
    assert reviews > 10
    chef = User.objects.get(username="enhetschef")
    assert has_open_review(chef)
    assert reviews_to_decide(chef).exists()
    client.force_login(chef)
    assert "Hemtjänst Norr" in client.get("/oversyn/").content.decode()
    sent = len(mail.outbox)
    seed()
    assert ReviewRound.objects.count() == 1 and UnitReview.objects.count() == reviews
    assert len(mail.outbox) == sent
