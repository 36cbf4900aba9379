"""manage.py bench_review at a tiny size, so that it cannot rot; its raw SQL must agree
with the ORM rule (the command refuses to print otherwise)."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from bench.management.commands.bench_review import BENCH_CODE, BENCH_YEAR
from compliance.models import Flag
from organisation.models import Person, Unit
from review.models import ReviewItem, ReviewRound, UnitReview
from subscriptions.models import Subscription


def test_bench_review_seeds_times_and_cleans(db):
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_review", size=400, repeat=1, stdout=out)
    text = out.getvalue()
    root = Unit.objects.get(code=BENCH_CODE)
    assert Subscription.objects.filter(unit__path__startswith=root.path).count() == 400
    assert ReviewItem.objects.filter(unit_review__round__year=BENCH_YEAR).count() == 200
    assert "400 benchmark subscriptions, 200 due for review" in text
    for name in ("rule (ORM)", "rule (raw SQL)", "sweep, first run", "sweep, steady"):
        assert re.search(rf"^{re.escape(name)} +\d+\.\d$", text, re.M), text
    assert "steady sweep changed 0 flags" in text
    assert Flag.objects.filter(rule="REV-1", unit__path__startswith=root.path).exists()

    again = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_review", size=400, repeat=1, stdout=again)
    assert "Reusing the 400 benchmark subscriptions" in again.getvalue()

    with override_settings(DEBUG=True):
        call_command("bench_review", clean=True, stdout=StringIO())
    assert not Unit.objects.filter(path__startswith=root.path).exists()
    assert not Person.objects.filter(unit_id=root.pk).exists()
    assert not ReviewRound.objects.exists() and not UnitReview.objects.exists()
    assert not Flag.objects.exists()


def test_bench_review_refuses_without_debug(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("bench_review", size=50)
    assert not Unit.objects.filter(code=BENCH_CODE).exists()
