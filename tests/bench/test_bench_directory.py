"""manage.py bench_telesok at a tiny size, so that it cannot rot."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from bench.management.commands.bench_telesok import BENCH_CODE, Command
from organisation.models import Person, Unit
from subscriptions.models import Subscription


def test_bench_telesok_seeds_times_and_cleans(db):
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_telesok", size=50, queries=40, stdout=out)
    text = out.getvalue()
    root = Unit.objects.get(code=BENCH_CODE)
    assert Subscription.objects.filter(unit__path__startswith=root.path).count() == 50
    assert Person.objects.filter(unit__path__startswith=root.path).exists()
    for name in ("selector", "raw SQL", "HTTP view"):
        assert re.search(rf"^{name} +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d$", text, re.M), text
    assert "40 queries" in text
    assert "goal (p95 < 20 ms and <= 2x raw)" in text

    again = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_telesok", size=50, queries=10, stdout=again)
    assert "Reusing the 50 benchmark subscriptions" in again.getvalue()

    with override_settings(DEBUG=True):
        call_command("bench_telesok", clean=True, stdout=StringIO())
    assert not Unit.objects.filter(path__startswith=root.path).exists()
    assert not Subscription.objects.filter(unit_id=root.pk).exists()
    assert not Person.objects.filter(unit__path__startswith=root.path).exists()


def test_bench_telesok_runs_200_queries_by_default():
    parser = Command().create_parser("manage.py", "bench_telesok")
    assert parser.parse_args([]).queries == 200


def test_bench_telesok_refuses_without_debug(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("bench_telesok", size=50)
    assert not Unit.objects.filter(code=BENCH_CODE).exists()
