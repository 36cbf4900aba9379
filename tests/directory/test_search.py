"""DIR-2: the telesök selector. Every written form of a query, ranking, and what must
never be found (ORG-4 protected identity, inactive people, cancelled subscriptions)."""

from dataclasses import FrozenInstanceError

import pytest

from directory.selectors import Tier, parse_query, search
from organisation.models import Person, Unit
from organisation.services import unit_rename
from subscriptions.models import Subscription
from tests.conftest import phone
from tests.factories import PersonFactory


def names(hits):
    return [hit.name for hit in hits]


def first(query):
    hits = search(query)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


@pytest.mark.parametrize(
    "query",
    [
        "019-21 10 00",
        "+46 19 21 10 00",
        "+4619211000",
        "0046 19 21 10 00",
        "019211000",
        "(019) 21 10 00",
        "211000",
        "21 10 00",
        "1100",
    ],
)
def test_dir_2_any_written_form_of_a_number_finds_its_holder(phones, query):
    hit = first(query)
    assert hit.person == phones.anna
    assert phones.subs.anna_fixed in hit.subscriptions


@pytest.mark.parametrize("query", ["070-123 45 67", "+46 70 123 45 67", "1234567"])
def test_dir_2_a_mobile_number_finds_its_holder(phones, query):
    assert first(query).person == phones.anna


@pytest.mark.parametrize(
    "query", ["Östlund", "östlund", "ÖSTLUND", "ostlund", "OSTLUND", "östl", "stlund", "Anna Ö"]
)
def test_dir_2_names_match_in_part_without_case_or_accents(phones, query):
    assert phones.anna in [hit.person for hit in search(query)]


def test_dir_2_an_accent_in_the_query_finds_a_name_without_one(phones):
    # "Olle Ostberg" is stored without accents; "Östberg" and "ö" find him anyway.
    assert phones.olle in [hit.person for hit in search("Östberg")]
    assert phones.olle in [hit.person for hit in search("ö")]


def test_dir_2_title_matches_in_part_and_without_accents(phones):
    for query in ("undersköt", "UNDERSKOTERSKA"):
        found = {hit.person for hit in search(query)}
        assert found == {phones.anna, phones.subs.colleague.holder}


def test_dir_2_unit_name_finds_the_people_and_phones_in_it(phones, world):
    hits = search("stadsbibliotek")
    assert {phones.johanna, phones.karl, phones.olle} <= {hit.person for hit in hits}
    assert all(hit.unit == world.bibliotek for hit in hits)
    group = search("hemtjanst norr grupp")
    assert "Nattpatrullen" in names(group)
    assert phones.anna in [hit.person for hit in group]


def test_dir_2_multiple_words_must_all_match(phones):
    assert [hit.person for hit in search("anna hemtjänst")] == [phones.anna]
    assert [hit.person for hit in search("hemtjänst anna")] == [phones.anna]
    assert [hit.person for hit in search("östlund 1100")] == [phones.anna]
    # Johanna Lind of Stadsbiblioteket has "anna" in her name; Anna is not there.
    assert [hit.person for hit in search("anna stadsbiblioteket")] == [phones.johanna]
    assert search("östlund stadsbiblioteket") == []


def test_dir_2_a_short_extension_alone_is_found_exactly(phones, world):
    switchboard = phone(
        world, function_name="Växeln", unit=world.ksf, number="+4619210090", extension="90"
    )
    assert [hit.function for hit in search("90")] == [switchboard]
    # With other words, a short run of digits is a word: "grupp 1" is about the unit.
    assert phones.anna in [hit.person for hit in search("grupp 1")]
    assert search("växeln 1") == []


def test_dir_2_function_and_group_phones_are_hits_with_their_unit(phones, world):
    hit = first("recept")
    assert (hit.kind, hit.name, hit.person, hit.function) == (
        "function",
        "Receptionen",
        None,
        phones.subs.reception,
    )
    assert (hit.unit, hit.forvaltning) == (world.hemtjanst, world.vof)
    assert hit.subscriptions == [phones.subs.reception]
    assert first("2001").function == phones.subs.night
    assert first("019-21 20 00").function == phones.subs.reception


def test_dir_2_hit_shape(phones, world):
    hit = first("019-21 10 00")
    assert hit.kind == "person"
    assert hit.name == "Anna Östlund"
    assert hit.title == "Undersköterska"
    assert (hit.unit, hit.forvaltning) == (world.grupp, world.vof)
    assert hit.subscriptions == [phones.subs.anna_fixed, phones.subs.anna_mobile]
    assert hit.tier == Tier.EXACT_NUMBER
    assert hit.redirect is None
    assert hit.url == f"/telesok/person/{phones.anna.pk}/"


def test_dir_2_hits_hold_read_only_rows_that_equal_their_model_instances(phones, world):
    """A hit's person, unit and phones are plain rows, not model instances; each equals
    (and hashes as) the instance of its own model with its primary key, and nothing else."""
    hit = first("019-21 10 00")
    person, unit, fixed = hit.person, hit.unit, hit.subscriptions[0]
    assert not isinstance(person, Person) and not isinstance(unit, Unit)
    assert not isinstance(fixed, Subscription)
    with pytest.raises(FrozenInstanceError):
        person.title = "Chef"
    assert (person, unit, fixed) == (phones.anna, world.grupp, phones.subs.anna_fixed)
    assert hash(person) == hash(phones.anna) and person.pk == phones.anna.pk
    assert person != Unit(pk=person.pk) and fixed != Person(pk=fixed.pk)
    assert person != phones.johanna and person is not None
    assert fixed.get_kind_display() == phones.subs.anna_fixed.get_kind_display()
    assert (person.is_active, person.protected_identity) == (True, False)


def test_dir_2_exact_extension_ranks_first(phones):
    hits = search("1100")
    # Anna's extension is 1100 (exact), the manager's 11001 begins with it, Bo's number
    # 019-21 10 01 has it inside.
    assert [hit.person for hit in hits[:3]] == [
        phones.anna,
        phones.subs.manager.holder,
        phones.subs.colleague.holder,
    ]
    assert [hit.tier for hit in hits[:3]] == [Tier.EXACT_NUMBER, Tier.NUMBER_END, Tier.OTHER]


def test_dir_2_name_start_before_name_inside_before_title(phones):
    hits = search("ann")
    people = [hit.person for hit in hits]
    tiers = {hit.person: hit.tier for hit in hits}
    assert people.index(phones.anna) < people.index(phones.johanna) < people.index(phones.karl)
    assert tiers[phones.anna] == Tier.NAME_START
    assert tiers[phones.johanna] == Tier.NAME_CONTAINS
    assert tiers[phones.karl] == Tier.OTHER  # "Bemanningsassistent"
    assert [hit.tier for hit in hits] == sorted(hit.tier for hit in hits)


def test_dir_2_results_are_cut_at_the_limit_keeping_the_best(phones):
    everything = search("a", limit=200)
    assert len(everything) > 3
    assert [hit.sort_key for hit in search("a", limit=3)] == [
        hit.sort_key for hit in everything[:3]
    ]


@pytest.mark.parametrize("query", ["ber", "BERG", "Berg"])
def test_dir_2_a_short_word_ranks_the_same_when_its_name_starts_fill_the_page(
    phones, world, query, django_assert_num_queries
):
    """A short word's NAME_START hits are read first (directory.selectors._people); when
    they fill the page, the page is what the full ranking gives, with function phones of
    the same tier in their place, and no person of a lower tier before them."""
    unit = Unit.objects.create(name="Bergsgården", parent=world.bibliotek)
    for first_name, last_name in [("Olof", "Bergman"), ("Olof", "Åberg"), ("Berit", "Olofsson")]:
        PersonFactory(unit=world.bibliotek, first_name=first_name, last_name=last_name)
    PersonFactory(unit=unit, first_name="Olof", last_name="Lund")  # by the unit only
    n = Subscription.objects.count()
    phone(
        world,
        function_name="Bergsalen",
        unit=world.bibliotek,
        number=f"+46192{n:05d}",
        extension=f"8{n:03d}",
    )
    everything = search(query, limit=200)
    tiers = [hit.tier for hit in everything]
    assert tiers.count(Tier.NAME_START) >= 3
    assert max(tiers) > Tier.NAME_START
    full = [hit.sort_key for hit in everything]
    starters = sum(hit.person is not None and hit.tier == Tier.NAME_START for hit in everything)
    for limit in range(1, len(full) + 1):
        # people whose name a word starts (then everyone, if they are too few), their
        # phones, function phones
        with django_assert_num_queries(3 if limit <= starters else 4):
            assert [hit.sort_key for hit in search(query, limit=limit)] == full[:limit]


@pytest.mark.parametrize(
    "query", ["Skyddad", "petra", "3000", "019-21 30 00", "+46 19 21 30 00", "213000"]
)
def test_org_4_a_protected_identity_is_never_found(phones, query):
    hits = search(query)
    assert phones.petra not in [hit.person for hit in hits]
    # The access matrix's people have Faker names; one may be another Petra.
    assert not any(hit.person and hit.person.protected_identity for hit in hits)
    assert all(phones.petra.pk not in {s.holder_id for s in hit.subscriptions} for hit in hits)


def test_org_4_a_protected_identity_is_not_found_by_unit_either(phones):
    found = [hit.person for hit in search("hemtjänst norr grupp 1")]
    assert phones.anna in found
    assert phones.petra not in found


@pytest.mark.parametrize("query", ["Inaktiv", "4000", "019-21 40 00"])
def test_inactive_people_are_not_found(phones, query):
    assert search(query) == []


@pytest.mark.parametrize("query", ["9999", "019-21 99 99", "219999"])
def test_cancelled_subscriptions_are_not_found(phones, query):
    assert search(query) == []


def test_cancelled_subscriptions_are_not_shown_but_blocked_ones_are(phones, world):
    outsider = first(world.people["outsider"].last_name)
    assert phones.subs.cancelled not in outsider.subscriptions
    olle = first("olle ostberg")
    assert olle.subscriptions == [phones.subs.blocked]
    assert first("6000").person == phones.olle


def test_secondary_numbers_are_not_searched(phones):
    # DIR-5: no reverse lookup of a number outside the municipality.
    phones.anna.secondary_number = "+46855512345"
    phones.anna.save()
    assert search("08-555 123 45") == []


@pytest.mark.parametrize("query", ["", "   ", "-", "…", "()"])
def test_an_empty_query_finds_nothing_without_a_query(phones, query, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert search(query) == []


def test_the_query_count_does_not_grow_with_the_hits(world, django_assert_num_queries):
    def run():
        # people (ranked, with units), their phones, function phones
        with django_assert_num_queries(3):
            return search("qvarnstr")

    PersonFactory(unit=world.grupp, last_name="Qvarnström")
    assert len(run()) == 1
    for _ in range(9):
        phone_holder = PersonFactory(unit=world.grupp, last_name="Qvarnström")
        n = Subscription.objects.count()
        phone(world, holder=phone_holder, number=f"+46192{n:05d}", extension=f"7{n:03d}")
    assert len(run()) == 10


def test_parse_query():
    assert parse_query("Anna  019-21 10 00 Östlund") == parse_query("anna ostlund 019211000")
    assert parse_query("grupp 1").words == ("grupp", "1")
    assert parse_query("Kök Ånsta 14").words == ("kok", "ansta", "14")
    assert parse_query("90").numbers == ("90",)
    assert parse_query("+46 19 21 10 00").numbers == ("019211000",)
    assert parse_query("Östlund, (Anna)").words == ("ostlund", "anna")


def test_a_renamed_unit_is_found_by_its_new_name(phones, world):
    unit_rename(actor=None, unit=world.grupp, name="Östra hemvården")
    assert Unit.objects.get(pk=world.grupp.pk).search_key == "ostra hemvarden"
    assert phones.anna in [hit.person for hit in search("ostra hemv")]
