from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.lookups import StartsWith

from common.users import AnyUser

from .models import OrgChangeSet, Person, SearchKeyQuerySet, Unit


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
    """All open units in Swedish name order (the tree nests them), with managers; one
    query. Closed units (ORG-1) are left out."""
    return (
        Unit.objects.filter(closed_on__isnull=True).select_related("manager").order_by("name", "pk")
    )


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


def change_sets(scope: Unit | None) -> QuerySet[OrgChangeSet]:
    """The change sets of one scope (None: Tele kundtjänst's, the whole municipality),
    newest first."""
    return OrgChangeSet.objects.filter(scope=scope).select_related("uploaded_by")


def change_set_display(change_set: OrgChangeSet) -> dict[str, Any]:
    """The preview's rows grouped for the page: changes by kind, with the people named
    by a manager change loaded (the template shows them through the identity filters)."""
    ids = {c["person_id"] for c in change_set.changes + change_set.outside if c.get("person_id")}
    ids |= {
        c["old_person_id"]
        for c in change_set.changes + change_set.outside
        if c.get("old_person_id")
    }
    people = Person.objects.select_related("unit").in_bulk(ids)
    groups: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CHANGE_KINDS}
    for change in change_set.changes:
        groups[change["kind"]].append(_with_people(change, people))
    return {
        "groups": [(kind, groups[kind]) for kind in CHANGE_KINDS if groups[kind]],
        "outside": [_with_people(c, people) for c in change_set.outside],
        "row_errors": [row for row in change_set.rows if row["error"]],
        "change_count": len(change_set.changes),
    }


CHANGE_KINDS = ("create", "rename", "move", "manager", "cost_centre", "close")


def _with_people(change: dict[str, Any], people: dict[int, Person]) -> dict[str, Any]:
    return {
        **change,
        "person": people.get(change.get("person_id") or 0),
        "old_person": people.get(change.get("old_person_id") or 0),
    }
