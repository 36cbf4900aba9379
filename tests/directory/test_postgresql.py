"""PostgreSQL only: the pg_trgm extension and the trigram indexes telesök relies on
(DIR-2), and that the selector's conditions have the shape those indexes serve."""

import pytest
from django.db import connection

from directory.selectors import (
    _units_matching,
    functions_sql,
    parse_query,
    people_sql,
    search,
)
from organisation.models import Person
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.services import require_postgresql

TRIGRAM_INDEXES = {
    "person_search_name_trgm": "organisation_person",
    "person_search_text_trgm": "organisation_person",
    "function_search_text_trgm": "subscriptions_subscription",
    "subscription_digits_trgm": "subscriptions_subscription",
    "subscription_extension_trgm": "subscriptions_subscription",
    "subscription_search_key_trgm": "subscriptions_subscription",
}


@pytest.fixture(autouse=True)
def _postgresql(db):
    require_postgresql()


@pytest.fixture
def crowd(phones, world):
    """Enough rows that an index is worth taking: 2000 people with a phone each and 2000
    function phones."""
    people = Person.objects.bulk_create(
        Person(
            first_name=f"Förnamn{n}",
            last_name=f"Efternamn{n}",
            title="Handläggare",
            unit=world.bibliotek,
        )
        for n in range(2000)
    )

    def sub(n, **fields):
        return Subscription(
            number=f"+4613{n:07d}",
            extension=f"5{n:05d}",
            unit=world.bibliotek,
            cost_centre=world.cost_centre,
            **fields,
        )

    Subscription.objects.bulk_create(
        [sub(n, kind=Kind.FIXED, holder=person) for n, person in enumerate(people)]
        + [sub(5000 + n, kind=Kind.FUNCTION, function_name=f"Funktion {n}") for n in range(2000)]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organisation_person")
        cursor.execute("ANALYZE subscriptions_subscription")


def _plan(sql, params):
    """EXPLAIN of a statement with sequential scans priced out: the planner then takes an
    index exactly when the query's conditions can use one."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def test_the_trigram_extension_is_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)


def test_the_trigram_indexes_exist_as_gin_without_pending_list():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(TRIGRAM_INDEXES)],
        )
        found = {name: (table, definition) for name, table, definition in cursor.fetchall()}
    assert set(found) == set(TRIGRAM_INDEXES)
    for name, (table, definition) in found.items():
        assert table == TRIGRAM_INDEXES[name]
        assert "USING gin" in definition and "gin_trgm_ops" in definition, definition
        assert "fastupdate=off" in definition, definition


def test_words_use_the_trigram_indexes(crowd):
    parsed = parse_query("östlund hemtjänst")
    plan = _plan(*people_sql(parsed, _units_matching(parsed), 50))
    assert "person_search_text_trgm" in plan, plan
    # One index scan that intersects the words (DIR-2 multi-word queries stay cheap).
    assert plan.count("Bitmap Index Scan") == 1, plan
    # A short word's first look: the people whose name it begins.
    parsed = parse_query("ost")
    plan = _plan(*people_sql(parsed, _units_matching(parsed), 50, name_start_only=True))
    assert "person_search_name_trgm" in plan, plan


def test_numbers_use_the_trigram_indexes(crowd):
    parsed = parse_query("019-21 10 00")
    units = _units_matching(parsed)
    people_plan = _plan(*people_sql(parsed, units, 50))
    assert "subscription_digits_trgm" in people_plan, people_plan
    assert "subscription_extension_trgm" in people_plan, people_plan
    functions_plan = _plan(*functions_sql(parsed, units, 50))
    assert "subscription_digits_trgm" in functions_plan, functions_plan


def test_function_names_use_the_trigram_index(crowd):
    parsed = parse_query("recept")
    plan = _plan(*functions_sql(parsed, _units_matching(parsed), 50))
    assert "function_search_text_trgm" in plan, plan
    plan = _plan(*functions_sql(parsed, _units_matching(parsed), 50, name_start_only=True))
    assert "subscription_search_key_trgm" in plan, plan


def test_like_wildcards_in_the_query_are_literal(phones):
    # Django escapes % and _ in contains lookups; "%" alone must not match everyone.
    assert search("%") == []
    assert search("_nna") == []
