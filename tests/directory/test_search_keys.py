"""The normalised search columns telesök matches on (DIR-2) stay right on every write
path: save(), the bulk paths that skip it, and the migration that filled existing rows."""

import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from directory.selectors import search
from organisation.models import Person, Unit, person_search_keys, search_fold
from organisation.numbers import search_digits
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.conftest import phone


def first(query):
    hits = search(query)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


def test_search_fold_and_digits():
    assert search_fold("  ÖSTLUND  Åsa ") == "ostlund asa"
    assert search_fold("Ärlig-Lindé") == "arlig-linde"
    assert search_digits("+4619211000") == search_digits("019-21 10 00") == "019211000"
    assert search_digits("0046 19 21 10 00") == "019211000"
    assert search_digits("+47 22 33 44 55") == "004722334455"


def test_save_fills_the_keys(world):
    anna = world.people["employee"]
    assert (anna.search_name, anna.search_title) == ("ostlund anna", "underskoterska")
    assert person_search_keys(anna) == ("ostlund anna", "underskoterska")
    anna.title = "Sjuksköterska"
    anna.save(update_fields=["title"])
    anna.refresh_from_db()
    assert anna.search_title == "sjukskoterska"
    assert world.grupp.search_key == "hemtjanst norr grupp 1"
    sub = phone(world, holder=anna, number="+4619211000", extension="1100")
    assert (sub.number_digits, sub.search_key) == ("019211000", "")


def test_bulk_writes_keep_the_search_keys(world):
    """bulk_create, bulk_update and update() skip save(); the managers fill the keys."""
    created = Person.objects.bulk_create(
        [Person(first_name="Åke", last_name="Ärlig", title="Vaktmästare", unit=world.grupp)]
    )
    assert first("ake arlig").person.pk == created[0].pk
    Person.objects.filter(pk=created[0].pk).update(title="Fastighetsskötare")
    assert first("fastighetssk").person.pk == created[0].pk
    person = Person.objects.get(pk=created[0].pk)
    person.last_name = "Öberg"
    Person.objects.bulk_update([person], ["last_name"])
    assert first("oberg ake").person.pk == person.pk
    Subscription.objects.bulk_create(
        [
            Subscription(
                kind=Kind.FUNCTION,
                function_name="Städcentralen",
                number="+4619217000",
                extension="7000",
                unit=world.grupp,
                cost_centre=world.cost_centre,
            )
        ]
    )
    assert first("019-21 70 00").name == "Städcentralen"
    assert first("stadcentral").name == "Städcentralen"


def test_search_text_follows_the_unit_on_every_write_path(world):
    """A person's and a function phone's search_text holds their unit's name, so a move
    and a rename must reach it: save(), update(), and a rename through bulk_update."""
    person = Person.objects.create(
        first_name="Åke", last_name="Ärlig", title="Vaktmästare", unit=world.grupp
    )
    function = phone(
        world,
        function_name="Städcentralen",
        unit=world.grupp,
        number="+4619217000",
        extension="7000",
    )
    assert person.search_text == "arlig ake | vaktmastare | hemtjanst norr grupp 1"
    assert Subscription.objects.get(pk=function.pk).search_text == (
        "stadcentralen | hemtjanst norr grupp 1"
    )

    def found(query):
        hits = search(query)
        return {hit.person or hit.function for hit in hits}

    assert {person, function} <= found("ake grupp") | found("stadcentralen grupp")
    person.unit = world.bibliotek
    person.save()
    assert person not in found("ake grupp") and person in found("ake bibliotek")
    Person.objects.filter(pk=person.pk).update(unit=world.grupp)
    assert person in found("ake grupp") and person not in found("ake bibliotek")
    unit = Unit.objects.get(pk=world.grupp.pk)
    unit.name = "Städpoolen"
    Unit.objects.bulk_update([unit], ["name"])
    assert {person, function} <= found("stadpool")
    assert not found("grupp 1") & {person, function}
    unit = Unit.objects.get(pk=world.grupp.pk)
    unit.name = "Hemtjänst Norr grupp 1"
    unit.save()
    assert {person, function} <= found("norr grupp")
    # Saving a unit without renaming it leaves the people and phones alone.
    unit = Unit.objects.get(pk=world.grupp.pk)
    unit.phone_hours = "8-10"
    Person.objects.filter(pk=person.pk).update(search_text="")
    unit.save()
    assert Person.objects.get(pk=person.pk).search_text == ""


def test_the_history_helpers_of_seed_demo_keep_the_keys(world):
    """seed_demo writes people with simple-history's bulk helpers."""
    (person,) = bulk_create_with_history(
        [Person(first_name="Örjan", last_name="Åberg", title="Kock", unit=world.grupp)],
        Person,
        default_change_reason="demo",
    )
    person = Person.objects.get(first_name="Örjan")
    assert first("orjan aberg").person == person
    person.title = "Kökschef"
    bulk_update_with_history([person], Person, fields=["title"], default_change_reason="demo")
    assert first("kokschef").person == person


def test_the_migrations_fill_existing_rows(world):
    anna = world.people["employee"]
    sub = phone(world, holder=anna, number="+4619211000", extension="1100")
    # Rows as they were before the migrations: keys empty (update() of a key alone is plain).
    function = phone(
        world, function_name="Receptionen", unit=world.grupp, number="+4619212000", extension="2000"
    )
    Person.objects.update(search_name="", search_title="", search_text="")
    Unit.objects.update(search_key="")
    Subscription.objects.update(number_digits="", search_key="", search_text="")
    schema_editor = SimpleNamespace(connection=connection)
    for module, function_name in (
        ("organisation.migrations.0003_telesok_search_keys", "fill_search_keys"),
        ("subscriptions.migrations.0002_telesok_search_keys", "fill_search_keys"),
        ("organisation.migrations.0006_telesok_search_text", "fill_search_text"),
        ("subscriptions.migrations.0008_telesok_search_text", "fill_search_text"),
    ):
        getattr(importlib.import_module(module), function_name)(apps, schema_editor)
    anna.refresh_from_db()
    sub.refresh_from_db()
    assert (anna.search_name, anna.search_title) == person_search_keys(anna)
    assert Unit.objects.get(pk=world.grupp.pk).search_key == "hemtjanst norr grupp 1"
    assert sub.number_digits == "019211000"
    assert first("019-21 10 00").person == anna
    assert anna.search_text == "ostlund anna | underskoterska | hemtjanst norr grupp 1"
    assert Subscription.objects.get(pk=function.pk).search_text == (
        "receptionen | hemtjanst norr grupp 1"
    )
    assert first("receptionen grupp").function == function
