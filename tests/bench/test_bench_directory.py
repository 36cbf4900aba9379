"""manage.py bench_telesok at a tiny size, so that it cannot rot."""

import re
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from bench.http import database_url
from bench.management.commands.bench_telesok import BENCH_CODE, Command
from organisation.models import Person, Unit
from subscriptions.models import Subscription
from tests.conftest import EVERYONE
from tests.services import require_postgresql


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


def test_bench_telesok_over_http_names_the_three_ratios(transactional_db):
    """--http: gunicorn with the production settings on the committed rows (hence
    transactional_db and PostgreSQL: the workers are other processes), a real sign-in,
    one client and then 8, beside the trivial page."""
    require_postgresql()
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_telesok", size=200, queries=20, http=True, requests=40, stdout=out)
    text = out.getvalue()
    for name in ("telesök page", "trivial page"):
        assert re.search(rf"^{name} +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d$", text, re.M), text
    assert re.search(
        r"^throughput, 8 clients: telesök [\d.]+ req/s, trivial page [\d.]+ req/s: \d+% "
        r"\(goal >= 50%\): (met|NOT met)$",
        text,
        re.M,
    ), text
    assert re.search(
        r"^page p95 [\d.]+ ms / selector p95 [\d.]+ ms = [\d.]+x \(goal <= 2x\): (met|NOT met)$",
        text,
        re.M,
    ), text
    assert re.search(
        r"^selector p95 [\d.]+ ms / raw SQL p95 [\d.]+ ms = [\d.]+x \(goal <= 1.5x\): "
        r"(met|NOT met)$",
        text,
        re.M,
    ), text
    # Signed out again: the benchmark's session is gone.
    assert not Session.objects.exists()


def test_gunicorn_opens_the_database_this_process_uses(db):
    if connection.vendor == "postgresql":
        assert database_url().endswith("/" + connection.settings_dict["NAME"])
    else:  # the in-memory SQLite test database: no other process can open it
        with pytest.raises(CommandError, match="--http needs"):
            database_url()


@override_settings(ROOT_URLCONF="bench.urls")
@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_the_trivial_page_is_signed_in_and_plain(matrix_client, who, status):
    response = matrix_client(who).get("/bench/trivial/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "<h1>Telefoni</h1>" in body and "<nav" in body
    else:
        assert response["Location"].startswith(reverse("login"))


def test_production_has_no_trivial_page(client, world):
    client.force_login(world.people["employee"].user)
    assert client.get("/bench/trivial/").status_code == 404
