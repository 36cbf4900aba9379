"""Telesök's reads (DIR-2, DIR-3, ORG-4): the search box, the person and unit pages.

Search
------
`search(query, *, limit=50)` returns a list of `Hit` (see the class) for one search box:

- Text words match parts of a person's first or last name or title, of a function or
  group phone's name, or of the name of the unit either sits in. Matching ignores case
  and accents ("ostlund", "ÖSTLUND" and "Östlund" are the same; "ö" also finds "o").
- Numbers may be written in any way: "019-21 10 00", "+46 19 21 10 00", "019211000" and
  "211000" all find +4619211000. Consecutive number-like words are read as one number and
  matched as a run of at least three digits anywhere in a number or an extension (so
  "21 10" finds it too). Fewer digits ("grupp 1", "Kök Ånsta 14") are read as a text word,
  except when they are the whole query ("90"): then they find that extension exactly.
- Every word must match (AND), each anywhere in its hit: "anna hemtjänst" finds Anna in
  Hemtjänst Norr, and so does "hemtjänst anna".
- Found: active people without protected identity (ORG-4), and function and group
  phones; of either, only active and blocked subscriptions count and are shown.
  Protected identities, inactive people and cancelled subscriptions are never found, by
  name, extension or number. Secondary numbers are not searched: telesök offers no
  reverse lookup of numbers outside the municipality (DIR-5).

Ranking (`Tier`, best first): 0 a number term is a whole extension or a whole number;
1 it ends a number (the number written without area code) or begins an extension;
2 a word begins the person's first or last name (or a word of the function's name);
3 a word is inside the name; 4 everything else (title, unit, inside a number). Ties go by
last name then first name (folded), functions by name, then by id.

Queries: at most five, whatever the number of hits: the units whose names match; the
ranked ids of the people (narrow rows, so that ranking thousands of matches of a short
word stays cheap); those people with unit and förvaltning, and their subscriptions
(only when there is a person hit); the function phones with unit and förvaltning. On
PostgreSQL the conditions are served by pg_trgm GIN indexes on the normalised columns
(see the models); words shorter than three letters cannot use them.
"""

import re
from dataclasses import dataclass, field
from enum import IntEnum
from functools import reduce
from operator import or_

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.urls import reverse

from organisation.models import Person, Unit, search_fold
from organisation.numbers import search_digits
from subscriptions.choices import Status
from subscriptions.models import Subscription

# Subscriptions telesök shows and finds: not cancelled ones.
LISTED_STATUSES = (Status.ACTIVE, Status.BLOCKED)
MAX_WORDS = 8
MAX_TERM_LENGTH = 64
# Fewer digits than this are not searched inside numbers (they would match nearly all).
MIN_NUMBER_PART = 3
# A word that reads as (part of) a phone number: digits with the usual separators.
_NUMBERISH = re.compile(r"^\+?[\d()\-./]*\d[\d()\-./]*$")
# Punctuation around a word ("Östlund," or "(Hemtjänst)") is not part of it.
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


class Tier(IntEnum):
    """Why a hit ranks where it does; lower is better."""

    EXACT_NUMBER = 0
    NUMBER_END = 1
    NAME_START = 2
    NAME_CONTAINS = 3
    OTHER = 4


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...] = ()  # search_fold-ed text words
    numbers: tuple[str, ...] = ()  # search_digits of each run of number-like words

    @property
    def terms(self):
        return self.words + self.numbers

    def __bool__(self):
        return bool(self.words or self.numbers)


@dataclass(eq=False)
class Hit:
    """One search result; plain attributes, for templates and the JSON API alike.

    kind           "person" or "function" (a function or group phone)
    person         the Person (kind "person"), else None
    function       the function or group phone's Subscription (kind "function"), else None
    name           "Anna Östlund", or the function's name ("Receptionen")
    title          the person's title; "" for a function
    subscriptions  list of Subscription, active and blocked only, fixed before mobile;
                   for a function: [function]. Numbers are E.164 (show them with the
                   `phone` filter), extensions digits or None.
    unit           the Unit the person or phone belongs to
    forvaltning    that unit's förvaltning (a Unit; the unit itself for a förvaltning)
    tier           a Tier: why it ranked where it did
    redirect       the current hänvisning (ABS-1): None until absence provides it
    url            the hit's telesök page (person page, or the unit page of a function)
    """

    kind: str
    name: str
    title: str
    unit: Unit
    forvaltning: Unit
    subscriptions: list
    tier: Tier
    person: Person | None = None
    function: Subscription | None = None
    redirect: object = None
    sort_key: tuple = field(default=(), repr=False)

    @property
    def url(self):
        if self.person is not None:
            return reverse("directory:person", args=[self.person.pk])
        return reverse("directory:unit", args=[self.unit.pk])


def parse_query(text):
    """Split the search box into folded text words and number terms (see the module)."""
    words, numbers, run = [], [], []
    tokens = search_fold(text).split(" ")

    def end_run():
        if not run:
            return
        digits = search_digits("".join(run))
        if len(digits) >= MIN_NUMBER_PART or (digits and len(run) == len(tokens)):
            numbers.append(digits)
        elif digits:
            words.append(digits)
        run.clear()

    for token in tokens:
        if _NUMBERISH.match(token):
            run.append(token)
            continue
        end_run()
        word = _EDGE_PUNCTUATION.sub("", token)
        if word:
            words.append(word)
    end_run()
    words = [w[:MAX_TERM_LENGTH] for w in dict.fromkeys(words)][:MAX_WORDS]
    numbers = [n[:MAX_TERM_LENGTH] for n in dict.fromkeys(numbers)][:MAX_WORDS]
    return ParsedQuery(words=tuple(words), numbers=tuple(numbers))


def listed_subscriptions():
    """Subscriptions telesök shows, in display order (fixed, MEX, mobile; by number)."""
    return Subscription.objects.filter(status__in=LISTED_STATUSES).order_by("kind", "number")


def _any(conditions):
    return reduce(or_, conditions)


def _units_matching(parsed):
    """{term: [unit ids whose name contains it]}: one query over the (small) unit table.

    The ids go into the main queries as literal lists, which PostgreSQL can combine with
    the trigram indexes (BitmapOr); a join or subquery inside the OR could not."""
    rows = list(
        Unit.objects.filter(_any(Q(search_key__contains=t) for t in parsed.terms)).values_list(
            "pk", "search_key"
        )
    )
    return {term: [pk for pk, key in rows if term in key] for term in parsed.terms}


def _number_tiers(parsed, subscriptions):
    """When() clauses for tiers 0 and 1 over a Subscription queryset `subscriptions`
    (correlated to the outer row) or over the outer Subscription row itself (None)."""
    exact = _any(Q(extension=n) | Q(number_digits=n) for n in parsed.numbers)
    end = _any(Q(number_digits__endswith=n) | Q(extension__startswith=n) for n in parsed.numbers)
    if subscriptions is not None:
        exact, end = Exists(subscriptions.filter(exact)), Exists(subscriptions.filter(end))
    return [
        When(exact, then=Value(int(Tier.EXACT_NUMBER))),
        When(end, then=Value(int(Tier.NUMBER_END))),
    ]


def _name_tiers(parsed, name_field):
    starts = _any(
        Q(**{f"{name_field}__startswith": w}) | Q(**{f"{name_field}__contains": " " + w})
        for w in parsed.words
    )
    inside = _any(Q(**{f"{name_field}__contains": w}) for w in parsed.words)
    return [
        When(starts, then=Value(int(Tier.NAME_START))),
        When(inside, then=Value(int(Tier.NAME_CONTAINS))),
    ]


def _tier(parsed, name_field, subscriptions=None):
    whens = []
    if parsed.numbers:
        whens += _number_tiers(parsed, subscriptions)
    if parsed.words:
        whens += _name_tiers(parsed, name_field)
    return Case(*whens, default=Value(int(Tier.OTHER)), output_field=IntegerField())


def _number_match(number):
    if len(number) < MIN_NUMBER_PART:
        return Q(extension=number)
    return Q(number_digits__contains=number) | Q(extension__contains=number)


def people_queryset(parsed, unit_ids):
    """The people who match, with their `tier`, best first (ORG-4: no protected identity,
    nobody inactive)."""
    people = Person.objects.filter(is_active=True, protected_identity=False)
    for word in parsed.words:
        condition = Q(search_name__contains=word) | Q(search_title__contains=word)
        if unit_ids[word]:
            condition |= Q(unit_id__in=unit_ids[word])
        people = people.filter(condition)
    for number in parsed.numbers:
        holders = Subscription.objects.filter(
            _number_match(number), status__in=LISTED_STATUSES, holder__isnull=False
        ).values("holder_id")
        condition = Q(pk__in=holders)
        if unit_ids[number]:
            condition |= Q(unit_id__in=unit_ids[number])
        people = people.filter(condition)
    own = Subscription.objects.filter(holder=OuterRef("pk"), status__in=LISTED_STATUSES)
    return people.annotate(tier=_tier(parsed, "search_name", own)).order_by(
        "tier", "search_name", "pk"
    )


def people_with_phones(pks):
    """{pk: Person} with unit, förvaltning and `listed` subscriptions. The filter is
    repeated: someone given a protected identity a moment ago stays out (ORG-4)."""
    return (
        Person.objects.filter(is_active=True, protected_identity=False)
        .select_related("unit", "unit__forvaltning")
        .prefetch_related(
            Prefetch("subscriptions", queryset=listed_subscriptions(), to_attr="listed")
        )
        .in_bulk(pks)
    )


def functions_queryset(parsed, unit_ids, limit):
    """The function and group phone hits' query, ranked and cut at `limit`."""
    functions = Subscription.objects.filter(holder__isnull=True, status__in=LISTED_STATUSES)
    for word in parsed.words:
        condition = Q(search_key__contains=word)
        if unit_ids[word]:
            condition |= Q(unit_id__in=unit_ids[word])
        functions = functions.filter(condition)
    for number in parsed.numbers:
        condition = _number_match(number)
        if unit_ids[number]:
            condition |= Q(unit_id__in=unit_ids[number])
        functions = functions.filter(condition)
    return (
        functions.annotate(tier=_tier(parsed, "search_key"))
        .select_related("unit", "unit__forvaltning")
        .order_by("tier", "search_key", "pk")[:limit]
    )


def search(query, *, limit=50):
    """Telesök (DIR-2): the hits for one search box, best first; see the module."""
    parsed = parse_query(query)
    if not parsed or limit <= 0:
        return []
    unit_ids = _units_matching(parsed)
    ranked = list(
        people_queryset(parsed, unit_ids).values_list("pk", "tier", "search_name")[:limit]
    )
    people = people_with_phones([pk for pk, _tier, _name in ranked]) if ranked else {}
    hits = [
        Hit(
            kind="person",
            name=people[pk].full_name,
            title=people[pk].title,
            unit=people[pk].unit,
            forvaltning=people[pk].unit.forvaltning,
            subscriptions=people[pk].listed,
            tier=Tier(tier),
            person=people[pk],
            sort_key=(tier, search_name, 0, pk),
        )
        for pk, tier, search_name in ranked
        if pk in people
    ]
    hits += [
        Hit(
            kind="function",
            name=phone.function_name,
            title="",
            unit=phone.unit,
            forvaltning=phone.unit.forvaltning,
            subscriptions=[phone],
            tier=Tier(phone.tier),
            function=phone,
            sort_key=(phone.tier, phone.search_key, 1, phone.pk),
        )
        for phone in functions_queryset(parsed, unit_ids, limit)
    ]
    hits.sort(key=lambda hit: hit.sort_key)
    return hits[:limit]


def person_page(pk):
    """The person of a telesök person page, with unit and förvaltning; DoesNotExist if
    none. Whether the user may see them is the view's question (can_view_person)."""
    return Person.objects.select_related("unit", "unit__forvaltning").get(pk=pk)


def subscriptions_of(person):
    return list(listed_subscriptions().filter(holder=person))


def unit_page(pk):
    return Unit.objects.select_related("parent", "forvaltning").get(pk=pk)


def unit_people(unit):
    """People placed directly in the unit, as telesök lists them: active, never a
    protected identity (ORG-4), each with `listed` subscriptions."""
    return (
        Person.objects.filter(unit=unit, is_active=True, protected_identity=False)
        .prefetch_related(
            Prefetch("subscriptions", queryset=listed_subscriptions(), to_attr="listed")
        )
        .order_by("last_name", "first_name", "pk")
    )


def unit_functions(unit):
    """The unit's function and group phones (active and blocked)."""
    return (
        listed_subscriptions().filter(unit=unit, holder__isnull=True).order_by("search_key", "pk")
    )


def unit_children(unit):
    return unit.children.order_by("name_key")
