"""Telesök's reads (DIR-2, DIR-3, ORG-4): the search box, the person and unit pages.

Search
------
`search(query, *, limit=50)` returns a list of `Hit` (see the class) for one search box.
A hit holds plain rows, not model instances: `PersonRef`, `PhoneRef` and `UnitRef`, frozen
dataclasses built from the statements' rows (see "The search statements").

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

Queries: at most five, whatever the number of hits: the units whose names hold a number
term (only when there is one); the people, ranked over narrow rows and cut before they
are joined to unit and förvaltning (for a short word, first only those whose name it
begins: see _people); their subscriptions (only when there is a person hit); the
function phones, likewise. Words are matched against each row's search_text (its name,
title or function name, and its unit's name: see the models). On PostgreSQL the
conditions are served by pg_trgm GIN indexes on the normalised columns; words shorter
than three letters cannot use them. The statements are written by hand (see "The search
statements" below).
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import IntEnum
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypedDict, TypeVar

from django.db import connection, models
from django.db.models import Prefetch, QuerySet

from absence.models import Redirect
from absence.selectors import current_redirects
from common.http import pk_url
from organisation.models import Person, Unit, search_fold
from organisation.numbers import search_digits
from subscriptions.choices import Kind, Status
from subscriptions.models import Subscription
from subscriptions.selectors import concrete_field

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

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
    def terms(self) -> tuple[str, ...]:
        return self.words + self.numbers

    def __bool__(self) -> bool:
        return bool(self.words or self.numbers)


class _Row:
    """A row of one model's table, as telesök shows it: a few columns, read-only.

    A row equals the model instance it was read from (same model, same primary key), as
    two instances of the model equal each other, and hashes alike: `hit.person == person`
    and `person in {hit.person for hit in hits}` hold for the Person a hit was found as."""

    __slots__ = ()
    model: ClassVar[type[models.Model]]
    id: int  # every row class's first field

    @classmethod
    def of(cls, values: Sequence[Any]) -> Self:
        """The row from the values of its columns, in field order."""
        return cls(*values)

    @property
    def pk(self) -> int:
        return self.id

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Row):
            return type(other) is type(self) and other.id == self.id
        if isinstance(other, models.Model):
            return other._meta.concrete_model is self.model and other.pk == self.id
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, eq=False, slots=True)
class UnitRef(_Row):
    """A hit's unit or förvaltning."""

    model: ClassVar = Unit
    id: int
    name: str
    phone_hours: str


@dataclass(frozen=True, eq=False, slots=True)
class PersonRef(_Row):
    """The person of a person hit. Found people are always active and never a protected
    identity (ORG-4); the two flags are read all the same, for the API's second guard."""

    model: ClassVar = Person
    id: int
    first_name: str
    last_name: str
    title: str
    is_active: bool
    protected_identity: bool

    # The model's own definition, so that a hit's name is the person page's.
    full_name = property(Person.full_name.fget)  # type: ignore[attr-defined]  # mypy reads a property on its class as its getter

    @classmethod
    def of(cls, values: Sequence[Any]) -> Self:
        # SQLite gives booleans as 0 and 1.
        pk, first_name, last_name, title, is_active, protected_identity = values
        return cls(pk, first_name, last_name, title, bool(is_active), bool(protected_identity))


_KIND_LABELS = dict(Kind.choices)


@dataclass(frozen=True, eq=False, slots=True)
class PhoneRef(_Row):
    """A listed (active or blocked) subscription of a hit: a person's phone, or the
    function or group phone that is the hit. `number` in E.164, `extension` digits or
    None; `holder_id` None for a function or group phone."""

    model: ClassVar = Subscription
    id: int
    kind: str
    status: str
    number: str
    extension: str | None
    holder_id: int | None
    function_name: str

    def get_kind_display(self) -> str:
        """As Subscription.get_kind_display: the kind's label, in the active language."""
        return str(_KIND_LABELS.get(self.kind, self.kind))


@dataclass(frozen=True, eq=False, slots=True)
class Hit:
    """One search result; plain attributes, for templates and the JSON API alike.

    kind           "person" or "function" (a function or group phone)
    person         the PersonRef (kind "person"), else None
    function       the function or group phone's PhoneRef (kind "function"), else None
    name           "Anna Östlund", or the function's name ("Receptionen")
    title          the person's title; "" for a function
    subscriptions  list of PhoneRef, active and blocked only, fixed before mobile;
                   for a function: [function]. Numbers are E.164 (show them with the
                   `phone` filter), extensions digits or None.
    unit           the UnitRef of the unit the person or phone belongs to
    forvaltning    that unit's förvaltning (a UnitRef; the unit itself for a förvaltning)
    tier           a Tier: why it ranked where it did
    redirect       the current hänvisning (ABS-1): None from search(); attach_redirects
                   gives copies with it filled in
    url            the hit's telesök page (person page, or the unit page of a function)
    unit_url       the telesök page of the hit's unit
    """

    kind: str
    name: str
    title: str
    unit: UnitRef
    forvaltning: UnitRef
    subscriptions: list[PhoneRef]
    tier: Tier
    person: PersonRef | None = None
    function: PhoneRef | None = None
    redirect: Redirect | None = None
    sort_key: tuple[Any, ...] = field(default=(), repr=False)

    @property
    def url(self) -> str:
        if self.person is not None:
            return pk_url("directory:person", self.person.pk)
        return self.unit_url

    @property
    def unit_url(self) -> str:
        """The telesök page of the hit's unit."""
        return pk_url("directory:unit", self.unit.pk)


def parse_query(text: str) -> ParsedQuery:
    """Split the search box into folded text words and number terms (see the module)."""
    words: list[str] = []
    numbers: list[str] = []
    run: list[str] = []
    tokens = search_fold(text).split(" ")

    def end_run() -> None:
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


# A search statement's row class, and the tuples _hits_rows makes of its rows:
# (row, sort key, unit, förvaltning, tier).
_R = TypeVar("_R", "UnitRef", "PersonRef", "PhoneRef")
RowType = type[UnitRef] | type[PersonRef] | type[PhoneRef]
HitRow = tuple[_R, str, UnitRef, UnitRef, int]
_T = TypeVar("_T")


class Listed(TypedDict):
    """What unit_people prefetches onto each person: their listed subscriptions."""

    listed: list[Subscription]


def listed_subscriptions() -> QuerySet[Subscription]:
    """Subscriptions telesök shows, in display order (fixed, MEX, mobile; by number)."""
    return Subscription.objects.filter(status__in=LISTED_STATUSES).order_by("kind", "number")


# --- The search statements ----------------------------------------------------------------
#
# Telesök is the hottest read of the application, so its statements are written by hand:
# building them with the ORM (Case/When, Exists, long unit id lists) and loading hits
# through in_bulk + prefetch cost more time in Python than the database took to answer
# (see README, "Telesök benchmark"). The SQL is portable between PostgreSQL and SQLite.
# Each statement selects the columns of the rows it makes (PersonRef, PhoneRef, UnitRef:
# their fields, in order), and the fetched tuples become those rows as they are.


def _like(value: str) -> str:
    """A LIKE pattern's literal part: %, _ and the escape character itself are escaped
    (the statements say ESCAPE '\')."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Ids(list[int]):
    """Primary keys (ints) for _Sql.in_list, which writes them once as an array literal."""

    @cached_property
    def literal(self) -> str:
        return "{" + ",".join(map(str, self)) + "}"


class _Sql:
    """A statement under construction: text parts and their parameters, in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, text: str, *params: Any) -> "_Sql":
        self.parts.append(text)
        self.params.extend(params)
        return self

    def like(self, column: str, pattern: str) -> "_Sql":
        return self.add(f"{column} LIKE %s ESCAPE '\\'", pattern)

    def in_list(self, column: str, values: Sequence[Any]) -> "_Sql":
        if connection.vendor == "postgresql":
            # One array parameter: PostgreSQL plans it much faster than a long IN list
            # (10 ms down to 2 ms for "Fritidsgård Väster 1", whose words name hundreds
            # of units). Ids go as one bigint[] literal, '{1,2,3}': psycopg2 would send
            # ARRAY[1,2,3], which PostgreSQL parses and casts element by element (13 ms
            # for the 2 000 ids of "Fritidsgård Väster 1"), and an integer[], which
            # bigint = ANY() compares element by element instead of hashing (20 ms
            # instead of 2 for 5 000 function phones against 400 unit ids).
            if isinstance(values, Ids):
                return self.add(f"{column} = ANY(%s::bigint[])", values.literal)
            return self.add(f"{column} = ANY(%s)", list(values))
        return self.add(f"{column} IN ({', '.join(['%s'] * len(values))})", *values)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def _any_sql(sql: _Sql, items: Iterable[_T], add_one: Callable[[_Sql, _T], object]) -> None:
    """( a OR b OR ... ) with add_one(sql, item) writing each alternative."""
    sql.add("(")
    for index, item in enumerate(items):
        if index:
            sql.add("OR")
        add_one(sql, item)
    sql.add(")")


@cache
def _columns(row: RowType, alias: str) -> str:
    """The select list of a row class: its fields' columns in `alias`, in field order."""
    return ", ".join(f'{alias}."{concrete_field(row.model, f.name).column}"' for f in fields(row))


@cache
def _width(row: RowType) -> int:
    return len(fields(row))


def _table(model: type[models.Model]) -> str:
    return f'"{model._meta.db_table}"'


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _units_matching(parsed: ParsedQuery) -> dict[str, Ids]:
    """{number term: [ids of the units whose name contains it]}: one query over the
    (small) unit table, and none for a query without number terms. Text words need no
    list: a person's and a function phone's search_text holds their unit's key.

    The ids go into the main statements as literal lists, which PostgreSQL can combine
    with the trigram indexes (BitmapOr); a join or subquery inside the OR could not."""
    if not parsed.numbers:
        return {}
    sql = _Sql().add(f'SELECT u."id", u."search_key" FROM {_table(Unit)} u WHERE')
    _any_sql(sql, parsed.numbers, lambda sql, t: sql.like('u."search_key"', f"%{_like(t)}%"))
    rows = _fetch(sql.text, sql.params)
    return {term: Ids(pk for pk, key in rows if term in key) for term in parsed.numbers}


def _number_match(sql: _Sql, number: str, alias: str) -> None:
    """A subscription `alias` whose number or extension holds the number term."""
    if len(number) < MIN_NUMBER_PART:
        sql.add(f'{alias}."extension" = %s', number)
        return
    pattern = f"%{_like(number)}%"
    sql.add("(").like(f'{alias}."number_digits"', pattern).add("OR")
    sql.like(f'{alias}."extension"', pattern).add(")")


def _listed(sql: _Sql, alias: str) -> None:
    sql.in_list(f'{alias}."status"', LISTED_STATUSES)


def _number_condition(
    sql: _Sql,
    term: str,
    unit_ids: Mapping[str, Ids],
    add_match: Callable[[_Sql, str], object],
    unit_column: str,
) -> None:
    """One number term: it matches the row's numbers, or names the row's unit."""
    sql.add("(")
    add_match(sql, term)
    if unit_ids[term]:
        sql.add("OR").in_list(unit_column, unit_ids[term])
    sql.add(")")


def _exact_number(sql: _Sql, n: str, alias: str) -> None:
    sql.add(f'({alias}."extension" = %s OR {alias}."number_digits" = %s)', n, n)


def _number_end(sql: _Sql, n: str, alias: str) -> None:
    """The number ends with the term (dialled without area code) or the extension
    begins with it."""
    sql.add("(").like(f'{alias}."number_digits"', f"%{_like(n)}").add("OR")
    sql.like(f'{alias}."extension"', f"{_like(n)}%").add(")")


NumberCondition = Callable[[_Sql, str, str], None]
NUMBER_TIERS: tuple[tuple[Tier, NumberCondition], ...] = (
    (Tier.EXACT_NUMBER, _exact_number),
    (Tier.NUMBER_END, _number_end),
)


def _number_tiers(sql: _Sql, parsed: ParsedQuery, alias: str, *, own_of: str | None = None) -> None:
    """CASE branches for tiers 0 and 1: over the subscription row `alias` itself, or, for
    a person (`own_of` their alias), over an EXISTS of their listed subscriptions."""
    for tier, condition in NUMBER_TIERS:
        sql.add("WHEN")
        if own_of:
            sql.add(
                f"EXISTS (SELECT 1 FROM {_table(Subscription)} {alias} "
                f'WHERE {alias}."holder_id" = {own_of}."id" AND'
            )
            _listed(sql, alias)
            sql.add("AND")

        def add_one(sql: _Sql, n: str, condition: NumberCondition = condition) -> None:
            condition(sql, n, alias)

        _any_sql(sql, parsed.numbers, add_one)
        if own_of:
            sql.add(")")
        sql.add(f"THEN {int(tier)}")


def _name_starts(sql: _Sql, column: str, w: str) -> None:
    """A word of `column` begins with w (tier NAME_START)."""
    sql.like(column, f"{_like(w)}%").add("OR").like(column, f"% {_like(w)}%")


def _name_tiers(sql: _Sql, parsed: ParsedQuery, column: str) -> None:
    def starts(sql: _Sql, w: str) -> None:
        _name_starts(sql, column, w)

    def inside(sql: _Sql, w: str) -> None:
        sql.like(column, f"%{_like(w)}%")

    for tier, condition in ((Tier.NAME_START, starts), (Tier.NAME_CONTAINS, inside)):
        sql.add("WHEN")
        _any_sql(sql, parsed.words, condition)
        sql.add(f"THEN {int(tier)}")


def _tier(
    sql: _Sql,
    parsed: ParsedQuery,
    name_column: str,
    name_start_only: bool,
    *,
    number_alias: str,
    own_of: str | None = None,
) -> None:
    """The tier of a row, as an SQL expression."""
    if name_start_only:  # every row is of that tier
        sql.add(str(int(Tier.NAME_START)))
        return
    sql.add("CASE")
    if parsed.numbers:
        _number_tiers(sql, parsed, number_alias, own_of=own_of)
    if parsed.words:
        _name_tiers(sql, parsed, name_column)
    sql.add(f"ELSE {int(Tier.OTHER)} END")


def _word_conditions(
    sql: _Sql, parsed: ParsedQuery, text_column: str, name_column: str, name_start_only: bool
) -> None:
    """AND every word is inside the row's search_text (its name, title or function name,
    or its unit's name): one trigram index, in which PostgreSQL intersects the words, so
    that "Bibliotek Väster 15" reads only the rows that hold both long words. With
    name_start_only, AND a word begins a word of the name (which is the match of that
    word, when it is the only one)."""
    if name_start_only:
        sql.add("AND")
        _any_sql(sql, parsed.words, lambda sql, w: _name_starts(sql, name_column, w))
        if len(parsed.words) == 1:
            return
    for word in parsed.words:
        sql.add("AND").like(text_column, f"%{_like(word)}%")


_UNIT_JOIN = (
    f'JOIN {_table(Unit)} u ON u."id" = {{row}}."unit_id" '
    f'JOIN {_table(Unit)} f ON f."id" = u."forvaltning_id"'
)


def people_sql(
    parsed: ParsedQuery, unit_ids: Mapping[str, Ids], limit: int, *, name_start_only: bool = False
) -> tuple[str, list[Any]]:
    """(sql, params) of the person hits, best first (ORG-4: no protected identity, nobody
    inactive): each row is a PersonRef's columns, the search_name it is sorted by, a
    UnitRef's of their unit and of its förvaltning, then the tier. The ranking runs over
    narrow rows and is cut before the join, so that ranking thousands of matches of a
    short word stays cheap. With name_start_only, only the hits of tier NAME_START (see
    _people)."""
    person, sub = _table(Person), _table(Subscription)
    person_columns = _columns(PersonRef, "p")
    unit_columns, forvaltning_columns = _columns(UnitRef, "u"), _columns(UnitRef, "f")
    sql = _Sql().add(
        f'SELECT {person_columns}, r."search_name", {unit_columns}, {forvaltning_columns}, '
        "r.tier FROM ("
    )
    sql.add('SELECT p."id",')
    _tier(sql, parsed, 'p."search_name"', name_start_only, number_alias="o", own_of="p")
    sql.add(f'AS tier, p."search_name" FROM {person} p')
    sql.add('WHERE p."is_active" = %s AND p."protected_identity" = %s', True, False)

    def number_match(sql: _Sql, n: str) -> None:
        # The holders as an array computed first: PostgreSQL guesses hundreds of numbers
        # for a LIKE on digits that finds one, and a semi-join then reads every person
        # (25 ms); an array makes it look the few holders up by primary key.
        array = connection.vendor == "postgresql"
        sql.add(f'p."id" {"= ANY(ARRAY(" if array else "IN ("}SELECT s."holder_id" FROM {sub} s')
        sql.add("WHERE")
        _number_match(sql, n, "s")
        sql.add("AND")
        _listed(sql, "s")
        sql.add(f'AND s."holder_id" IS NOT NULL){")" if array else ""}')

    _word_conditions(sql, parsed, 'p."search_text"', 'p."search_name"', name_start_only)
    for number in parsed.numbers:
        sql.add("AND")
        _number_condition(sql, number, unit_ids, number_match, 'p."unit_id"')
    sql.add('ORDER BY tier, p."search_name", p."id" LIMIT %s) r', limit)
    sql.add(f'JOIN {person} p ON p."id" = r."id" {_UNIT_JOIN.format(row="p")}')
    sql.add('ORDER BY r.tier, r."search_name", r."id"')
    return sql.text, sql.params


def functions_sql(
    parsed: ParsedQuery, unit_ids: Mapping[str, Ids], limit: int, *, name_start_only: bool = False
) -> tuple[str, list[Any]]:
    """(sql, params) of the function and group phone hits, ranked and cut at `limit`:
    each row is a PhoneRef's columns, the search_key it is sorted by, a UnitRef's of its
    unit and of the unit's förvaltning, then the tier. With name_start_only, only the hits
    of tier NAME_START (see _people)."""
    phone_columns = _columns(PhoneRef, "s")
    unit_columns, forvaltning_columns = _columns(UnitRef, "u"), _columns(UnitRef, "f")
    # Ranked and cut first, so that only the hits shown are joined to their units.
    sql = _Sql().add(
        f'SELECT {phone_columns}, s."search_key", {unit_columns}, {forvaltning_columns}, s.tier'
    )
    sql.add(f'FROM (SELECT {phone_columns}, s."search_key", s."unit_id",')
    _tier(sql, parsed, 's."search_key"', name_start_only, number_alias="s")
    sql.add("AS tier")
    sql.add(f"FROM {_table(Subscription)} s")
    sql.add('WHERE s."holder_id" IS NULL AND')
    _listed(sql, "s")
    _word_conditions(sql, parsed, 's."search_text"', 's."search_key"', name_start_only)
    for number in parsed.numbers:
        sql.add("AND")
        _number_condition(
            sql, number, unit_ids, lambda sql, n: _number_match(sql, n, "s"), 's."unit_id"'
        )
    sql.add('ORDER BY tier, s."search_key", s."id" LIMIT %s) s', limit)
    sql.add(_UNIT_JOIN.format(row="s"))
    sql.add('ORDER BY s.tier, s."search_key", s."id"')
    return sql.text, sql.params


def _hits_rows(
    sql_and_params: tuple[str, Sequence[Any]], row: type[_R], units: dict[int, UnitRef]
) -> list[HitRow[_R]]:
    """Rows of people_sql (`row` PersonRef) or functions_sql (PhoneRef) as tuples
    (row, sort key, unit, förvaltning, tier); unit and förvaltning are UnitRefs. `units`
    ({id: UnitRef}) is shared by the search's statements: most hits sit in a few units,
    so each is built once."""
    rows = _fetch(*sql_and_params)
    # A class is hashable; mypy checks a union of classes against Hashable by their
    # instances' __hash__ and refuses it.
    width = _width(row)  # type: ignore[arg-type]
    unit_width = _width(UnitRef)
    unit_at, forvaltning_at = width + 1, width + 1 + unit_width

    def unit_from(values: Sequence[Any], offset: int) -> UnitRef:
        pk = values[offset]  # a UnitRef's first field is its id
        if pk not in units:
            units[pk] = UnitRef(*values[offset : offset + unit_width])
        return units[pk]

    return [
        (
            row.of(values[:width]),
            values[width],
            unit_from(values, unit_at),
            unit_from(values, forvaltning_at),
            values[-1],
        )
        for values in rows
    ]


def _listed_phones(person_ids: Sequence[int]) -> Mapping[int | None, list[PhoneRef]]:
    """{person id: [PhoneRef]}: each person's active and blocked subscriptions, fixed
    before mobile (one statement; none for no people)."""
    if not person_ids:
        return {}
    sql = _Sql().add(f"SELECT {_columns(PhoneRef, 's')} FROM {_table(Subscription)} s WHERE")
    sql.in_list('s."holder_id"', Ids(person_ids)).add("AND")
    _listed(sql, "s")
    sql.add('ORDER BY s."kind", s."number", s."id"')
    listed: dict[int | None, list[PhoneRef]] = {pk: [] for pk in person_ids}
    for values in _fetch(sql.text, sql.params):
        phone = PhoneRef(*values)
        listed[phone.holder_id].append(phone)
    return listed


# A word this short is the start of thousands of names and inside thousands more: "ber"
# matches 20 000 of 65 000 people by name or unit, and ranking them all took 30 ms.
SHORT_WORD = 4


def _people(
    parsed: ParsedQuery, unit_ids: Mapping[str, Ids], limit: int, units: dict[int, UnitRef]
) -> tuple[list[HitRow[PersonRef]], bool]:
    """(the person hits best first, whether only NAME_START hits can be shown).

    For a query of one short word (best tier NAME_START), the NAME_START people are
    fetched first. When there are `limit` of them, they are the people shown:
    no person of a lower tier can rank before them, and of the function phones only those
    of tier NAME_START can still rank among them. Reading only the people whose name a
    word begins (4 000 for "ber") is much cheaper than ranking all it is inside of.
    Otherwise the full ranking runs. (Several words need no such help: the trigram index
    of search_text gives only the rows that hold them all.)"""
    if not parsed.numbers and len(parsed.words) == 1 and len(parsed.words[0]) <= SHORT_WORD:
        sql = people_sql(parsed, unit_ids, limit, name_start_only=True)
        people = _hits_rows(sql, PersonRef, units)
        if len(people) == limit:
            return people, True
    return _hits_rows(people_sql(parsed, unit_ids, limit), PersonRef, units), False


def search(query: str, *, limit: int = 50) -> list[Hit]:
    """Telesök (DIR-2): the hits for one search box, best first; see the module."""
    parsed = parse_query(query)
    if not parsed or limit <= 0:
        return []
    unit_ids = _units_matching(parsed)
    units: dict[int, UnitRef] = {}
    people, name_start_only = _people(parsed, unit_ids, limit, units)
    listed = _listed_phones([person.id for person, *_rest in people])
    hits = [
        Hit(
            kind="person",
            name=person.full_name,
            title=person.title,
            unit=unit,
            forvaltning=forvaltning,
            subscriptions=listed[person.id],
            tier=Tier(tier),
            person=person,
            sort_key=(tier, search_name, 0, person.id),
        )
        for person, search_name, unit, forvaltning, tier in people
    ]
    functions = functions_sql(parsed, unit_ids, limit, name_start_only=name_start_only)
    hits += [
        Hit(
            kind="function",
            name=phone.function_name,
            title="",
            unit=unit,
            forvaltning=forvaltning,
            subscriptions=[phone],
            tier=Tier(tier),
            function=phone,
            sort_key=(tier, search_key, 1, phone.id),
        )
        for phone, search_key, unit, forvaltning, tier in _hits_rows(functions, PhoneRef, units)
    ]
    hits.sort(key=lambda hit: hit.sort_key)
    return hits[:limit]


def person_page(pk: int) -> Person:
    """The person of a telesök person page, with unit and förvaltning; DoesNotExist if
    none. Whether the user may see them is the view's question (can_view_person)."""
    return Person.objects.select_related("unit", "unit__forvaltning").get(pk=pk)


def subscriptions_of(person: Person) -> list[Subscription]:
    """The person page's phones, with what tells who may change their barring (BAR-2)."""
    return list(listed_subscriptions().filter(holder=person).select_related("cost_centre", "unit"))


def unit_page(pk: int) -> Unit:
    return Unit.objects.select_related("parent", "forvaltning").get(pk=pk)


def unit_people(unit: Unit) -> "QuerySet[WithAnnotations[Person, Listed]]":
    """People placed directly in the unit, as telesök lists them: active, never a
    protected identity (ORG-4), each with `listed` subscriptions."""
    return (
        Person.objects.filter(unit=unit, is_active=True, protected_identity=False)
        .prefetch_related(
            Prefetch("subscriptions", queryset=listed_subscriptions(), to_attr="listed")
        )
        .order_by("last_name", "first_name", "pk")
    )


def unit_functions(unit: Unit) -> QuerySet[Subscription]:
    """The unit's function and group phones (active and blocked)."""
    return (
        listed_subscriptions()
        .filter(unit=unit, holder__isnull=True)
        .order_by("function_name", "pk")
    )


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return unit.children.order_by("name")


def attach_redirects(hits: Sequence[Hit]) -> list[Hit]:
    """The hits again, each with `redirect` its current hänvisning (ABS-1): one query for
    all hits. A person's is that of the first of their listed phones that has one. Called
    by the views after search(), not inside it; the hits given are left as they are."""
    found = current_redirects(s.pk for hit in hits for s in hit.subscriptions)
    return [
        replace(hit, redirect=next((found[s.pk] for s in hit.subscriptions if s.pk in found), None))
        for hit in hits
    ]
