"""What waits for a person (issue 19.1): the shape every app's `waiting_for(user)`
selector answers in, and the one query that counts them all.

An app says what of its own waits for a user as a list of `Source`s, one per kind of
thing (change requests of one kind, orders to approve, ...): the queryset of the objects
that wait, the field their wait starts at, a label and where the person acts. It returns
no source for a role it does not concern, and runs no query itself. telefoni (the roof,
the only app that may import every app) gathers the sources and `answer()` counts them
all in one query (a UNION ALL of one aggregate per source), whatever the data size and
however many sources the person's roles bring.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, DateTimeField, IntegerField, Min, QuerySet, Value
from django.utils import timezone
from django.utils.timesince import timesince

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Source:
    """One kind of thing that waits: the objects of `waiting`, each since its `since`
    (a field or an annotation of `waiting`). A single one links to `detail(pk)` when
    given, several to `url`; without a `url` (no list page), to the page of the one with
    the lowest pk."""

    key: str
    label: "StrOrPromise"
    waiting: QuerySet[Any]
    since: str
    url: str = ""
    detail: Callable[[int], str] | None = None


@dataclass(frozen=True)
class Waiting:
    """`count` things of one kind wait; the oldest since `oldest`; `url` is where the
    person acts. `key` names the kind ("devices.orders.to_approve")."""

    key: str
    label: "StrOrPromise"
    count: int
    oldest: datetime | None
    url: str

    @property
    def age(self) -> str:
        """How long the oldest has waited, in words of the active language ("3 dagar")."""
        if self.oldest is None:
            return ""
        return timesince(self.oldest, timezone.now(), depth=1)


def _aggregate(index: int, source: Source) -> QuerySet[Any]:
    """One row: the source's index, how many wait, the oldest start, one pk."""
    return (
        source.waiting.order_by()
        .annotate(inbox_source=Value(index, output_field=IntegerField()))
        .values("inbox_source")
        .annotate(
            inbox_count=Count("pk"),
            inbox_oldest=Min(source.since, output_field=DateTimeField()),
            inbox_one=Min("pk"),
        )
        .values_list("inbox_source", "inbox_count", "inbox_oldest", "inbox_one")
    )


def answer(sources: Sequence[Source]) -> list[Waiting]:
    """What waits, the oldest first, in one query (none without a source); a source
    with nothing waiting is left out."""
    if not sources:
        return []
    parts = [_aggregate(index, source) for index, source in enumerate(sources)]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    items = []
    for index, count, oldest, one in rows:
        if not count:
            continue
        source = sources[index]
        if source.detail is not None and (count == 1 or not source.url):
            url = source.detail(one)
        else:
            url = source.url
        items.append(Waiting(source.key, source.label, count, oldest, url))
    return sorted(
        items,
        key=lambda item: (item.oldest is None, item.oldest or timezone.now(), item.key),
    )
