"""The demo's annual review (review app): this year's round, opened by Tele kundtjänst."""

from datetime import timedelta

from django.utils import timezone

from demo import data
from review.models import ReviewRound
from review.services import review_round_open


def seed_review(users):
    """REV-1: this year's annual review, open for the demo managers; a round that exists
    is left as it is (the managers' decisions stay)."""
    today = timezone.localdate()
    if not ReviewRound.objects.filter(year=today.year).exists():
        review_round_open(
            actor=users[data.DEMO_REVIEW_OPENED_BY],
            year=today.year,
            deadline=today + timedelta(days=data.DEMO_REVIEW_DEADLINE_DAYS),
        )
