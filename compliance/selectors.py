from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count, Min, Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.inbox import Source
from organisation.models import Person, Unit

from .models import Flag
from .rules import RULES
from .sections import requirement_sort_key, section_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def open_flags_for(person: Person | None) -> QuerySet[Flag]:
    """Open flags the person must act on, newest first, with what the list shows."""
    if person is None:
        return Flag.objects.none()
    return (
        Flag.objects.filter(responsible=person, resolved_at__isnull=True)
        .select_related("unit", "content_type")
        .prefetch_related("content_object")
        .order_by("-opened_at", "pk")
    )


def waiting_flags_for(person: Person | None) -> list[Source]:
    """The start page's inbox: the person's open flags, the cost deviations to explain
    (COST-2) apart from the rest; both link to the start page's table of the flags,
    whose rows link to the objects. Nothing without a person."""
    if person is None:
        return []
    flags = Flag.objects.filter(responsible=person, resolved_at__isnull=True)
    url = reverse("start") + "#flags-heading"
    return [
        Source(
            key="compliance.flags.cost_2",
            label=_("Cost deviations to explain"),
            waiting=flags.filter(rule="COST-2"),
            since="opened_at",
            url=url,
        ),
        Source(
            key="compliance.flags",
            label=_("Open flags to act on"),
            waiting=flags.exclude(rule="COST-2"),
            since="opened_at",
            url=url,
        ),
    ]


def open_rules_of(model: type[Model], object_ids: Iterable[int]) -> dict[int, list[str]]:
    """{object id: [rule ids, sorted]} of the open flags on these objects of `model`;
    objects without an open flag are left out. One query."""
    rows = (
        Flag.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=list(object_ids),
            resolved_at__isnull=True,
        )
        .order_by("object_id", "rule")
        .values_list("object_id", "rule")
    )
    rules: dict[int, list[str]] = {}
    for object_id, rule in rows:
        rules.setdefault(object_id, []).append(rule)
    return rules


def open_rules_for(obj: Model) -> list[str]:
    """[rule ids, sorted] of the open flags on one object."""
    return open_rules_of(type(obj), [obj.pk]).get(obj.pk, [])


def open_flags_of_unit(unit: Unit) -> QuerySet[Flag]:
    """The open flags whose unit is `unit` itself (not the units below), by rule."""
    return Flag.objects.filter(unit=unit, resolved_at__isnull=True).order_by("rule", "pk")


def open_flag_counts(
    *,
    under: Unit | None = None,
    units: Iterable[Unit] | None = None,
    model: type[Model] | None = None,
) -> dict[str, int]:
    """{rule id: number of open flags}, in rule id order, of the flags whose unit is
    `under` or below it, or one of `units` (a queryset or list of units), or anywhere
    when neither is given; only flags on objects of `model`, when given. One query."""
    flags = _open_flags_under(None if under is None else [under.path])
    if units is not None:
        flags = flags.filter(unit__in=units)
    if model is not None:
        flags = flags.filter(content_type=ContentType.objects.get_for_model(model))
    rows = flags.order_by("rule").values("rule").annotate(count=Count("pk"))
    return {row["rule"]: row["count"] for row in rows}


# --- The compliance dashboard (X-2) ---------------------------------------------------

# How a model's flagged objects are loaded and linked on the dashboard: an app whose
# objects' names need related rows registers a queryset here (compliance imports no app
# above organisation, so they come to it).
_OBJECT_QUERYSETS: dict[type[Model], Callable[[], QuerySet[Any]]] = {}
_OBJECT_URLS: dict[type[Model], Callable[[Any], str | None]] = {}
# Where one rule's flag on a model is put right, when that is not the object's page (a
# mover's phone, DEV-4: the one-click change of cost centre).
_RULE_URLS: dict[tuple[str, type[Model]], Callable[[Any], str | None]] = {}


def register_flag_objects(
    model: type[Model],
    queryset: Callable[[], QuerySet[Any]] | None = None,
    url: Callable[[Any], str | None] | None = None,
) -> None:
    """`queryset()` loads flagged `model` objects with what their names show; `url(obj)`
    gives the page of one (default: obj.get_absolute_url(), when it has one)."""
    if queryset is not None:
        _OBJECT_QUERYSETS[model] = queryset
    if url is not None:
        _OBJECT_URLS[model] = url


def register_flag_url(rule_id: str, model: type[Model], url: Callable[[Any], str | None]) -> None:
    """`url(obj)` is where a flag of `rule_id` on a `model` object is put right."""
    _RULE_URLS[(rule_id, model)] = url


def rule_flag_url(flag: Flag) -> str | None:
    """The page registered for the flag's rule and object kind, or None."""
    obj = flag.content_object
    rule_url = _RULE_URLS.get((flag.rule, type(obj))) if obj is not None else None
    return rule_url(obj) or "" if rule_url is not None else None


def flag_url(flag: Flag) -> str:
    """Where a flag links: its rule's page for the object, else the object's page."""
    url = rule_flag_url(flag)
    return url if url is not None else flag_object_url(flag.content_object)


def flag_object_url(obj: Model | None) -> str:
    """The page of a flagged object, or '' when it has none."""
    if obj is None:
        return ""
    url = _OBJECT_URLS.get(type(obj))
    if url is not None:
        return url(obj) or ""
    get_url = getattr(obj, "get_absolute_url", None)
    return get_url() if get_url is not None else ""


def _open_flags_under(paths: Iterable[str] | None) -> QuerySet[Flag]:
    """Open flags whose unit is at or below one of `paths` (None: everywhere)."""
    flags = Flag.objects.filter(resolved_at__isnull=True)
    if paths is None:
        return flags
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(unit__path__startswith=path)
    return flags.filter(condition)


def flag_figures(paths: Iterable[str] | None) -> list[dict[str, Any]]:
    """One query: per (unit path, rule) the number of open flags and the oldest opening,
    for the units at or below `paths` (None: the whole municipality)."""
    return list(
        _open_flags_under(paths)
        .order_by()
        .values("unit__path", "rule")
        .annotate(count=Count("pk"), oldest=Min("opened_at"))
    )


@dataclass
class Figure:
    """Open flags rolled up: how many and since when the oldest is open."""

    count: int = 0
    oldest: datetime | None = None

    def add(self, count: int, oldest: datetime | None) -> None:
        self.count += count
        if oldest is not None and (self.oldest is None or oldest < self.oldest):
            self.oldest = oldest

    @property
    def age_days(self) -> int | None:
        if self.oldest is None:
            return None
        return (timezone.now() - self.oldest).days


@dataclass
class RuleFigure(Figure):
    rule_id: str = ""

    @property
    def section(self) -> str:
        return section_of(self.rule_id)

    @property
    def title(self) -> "StrOrPromise":
        found = RULES.get(self.rule_id)
        return found.title if found else ""


def figures_by_rule(rows: Iterable[Mapping[str, Any]], path: str | None = None) -> list[RuleFigure]:
    """Rule figures of the rows at or below `path` (None: all rows), in requirement order."""
    by_rule: dict[str, RuleFigure] = {}
    for row in rows:
        if path is None or row["unit__path"].startswith(path):
            figure = by_rule.setdefault(row["rule"], RuleFigure(rule_id=row["rule"]))
            figure.add(row["count"], row["oldest"])
    return [by_rule[rule_id] for rule_id in sorted(by_rule, key=requirement_sort_key)]


def rolled_up(
    units: Iterable[Unit], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Unit, Figure, Figure]]:
    """[(unit, Figure, own Figure)] for each unit: the figure counts the flags of the unit
    and of every unit below it (the materialised path); `own` those of the unit alone."""
    result = []
    for unit in units:
        total, own = Figure(), Figure()
        for row in rows:
            if row["unit__path"].startswith(unit.path):
                total.add(row["count"], row["oldest"])
                if row["unit__path"] == unit.path:
                    own.add(row["count"], row["oldest"])
        result.append((unit, total, own))
    return result


def scope_units(scope_paths: Iterable[str] | None) -> QuerySet[Unit]:
    """The top units of a dashboard scope (None: every förvaltning), with their managers."""
    units = Unit.objects.select_related("manager").order_by("path")
    if scope_paths is None:
        return units.filter(parent__isnull=True)
    return units.filter(path__in=scope_paths)


def child_units(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(parent=unit).select_related("manager").order_by("name")


def flags_for_list(paths: Iterable[str] | None, rule_id: str | None = None) -> QuerySet[Flag]:
    """Open flags at or below `paths` (None: everywhere), oldest first, with the unit,
    its förvaltning, the responsible person and the flagged object loaded (one query per
    kind of object)."""
    flags = _open_flags_under(paths)
    if rule_id is not None:
        flags = flags.filter(rule=rule_id)
    prefetch = GenericPrefetch(
        "content_object", [factory() for factory in _OBJECT_QUERYSETS.values()]
    )
    return (
        flags.select_related("unit", "unit__forvaltning", "responsible", "content_type")
        .prefetch_related(prefetch)
        .order_by("opened_at", "pk")
    )
