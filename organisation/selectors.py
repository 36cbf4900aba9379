from django.db.models import F, OuterRef, Subquery
from django.db.models.lookups import StartsWith

from common.users import AnyUser

from .models import Person, SearchKeyQuerySet, Unit


def nearest_manager_subquery(path_ref: str = "path") -> Subquery:
    """Subquery: the manager of the nearest unit at or above the outer row's unit path."""
    return Subquery(
        Unit.objects.filter(StartsWith(OuterRef(path_ref), F("path")), manager__isnull=False)
        .order_by("-depth")
        .values("manager")[:1]
    )


def manager_of(person: Person) -> Person | None:
    """A person's manager: the enhetschef of their unit, or of the nearest unit above that
    has one; a manager's own manager is found further up."""
    ancestors = (
        Unit.objects.filter(pk__in=person.unit.ancestor_ids(), manager__isnull=False)
        .exclude(manager=person)
        .select_related("manager")
        .order_by("-depth")
    )
    unit = ancestors.first()
    return unit.manager if unit else None


def unit_tree() -> SearchKeyQuerySet[Unit]:
    """All units in Swedish name order (the tree nests them), with managers; one query."""
    return Unit.objects.select_related("manager").order_by("name", "pk")


def unit_with_context(pk: int) -> Unit:
    return Unit.objects.select_related("parent", "forvaltning", "manager").get(pk=pk)


def unit_ancestors(unit: Unit) -> SearchKeyQuerySet[Unit]:
    return Unit.objects.filter(pk__in=unit.ancestor_ids()[:-1]).order_by("depth")


def visible_people(user: AnyUser) -> SearchKeyQuerySet[Person]:
    """People a user may see listed: protected identities are never listed (ORG-4)."""
    return Person.objects.filter(protected_identity=False, is_active=True)


def people_of_unit(unit: Unit) -> SearchKeyQuerySet[Person]:
    return (
        Person.objects.filter(unit=unit, protected_identity=False, is_active=True)
        .only("pk", "first_name", "last_name", "title", "unit_id", "kind")
        .order_by("last_name", "first_name")
    )
