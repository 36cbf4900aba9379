"""Every state change of the organisation: keyword-only, atomic, records who acted."""

import logging
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import note_history, save_with_history
from common.roles import Role
from common.uploads import UploadRejected
from common.users import Actor

from . import orgfile
from .choices import ChangeSetStatus
from .models import (
    CostCentre,
    OrgChangeSet,
    Person,
    Unit,
    name_key,
    normalise_name,
    spread_unit_search_keys,
    still_on_unit,
)

log = logging.getLogger(__name__)


def _sibling_name_taken(*, parent: Unit | None, name: str, exclude_pk: int | None = None) -> bool:
    siblings = Unit.objects.filter(parent=parent, name_key=name_key(name))
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    return siblings.exists()


def _check_name(*, parent: Unit | None, name: str, exclude_pk: int | None = None) -> str:
    name = normalise_name(name)
    if not name:
        raise ValidationError({"name": _("Give the unit a name.")})
    if _sibling_name_taken(parent=parent, name=name, exclude_pk=exclude_pk):
        raise ValidationError(
            {
                "name": _(
                    "There is already a unit called “%(name)s” here; names are compared "
                    "ignoring case and spaces."
                )
                % {"name": name}
            }
        )
    return name


def _save(obj: Unit, *, actor: Actor, reason: str) -> None:
    """save_with_history, with a unit name taken at the same moment as a form error."""
    try:
        with transaction.atomic():
            save_with_history(obj, actor=actor, reason=reason)
    except IntegrityError as exc:
        # Two people saving the same name at once: the database constraint decides.
        raise ValidationError({"name": _("That name is already taken here.")}) from exc


@transaction.atomic
def unit_create(*, actor: Actor, parent: Unit | None, name: str, code: str | None = None) -> Unit:
    """ORG-1: create a unit (or, with no parent, a förvaltning)."""
    name = _check_name(parent=parent, name=name)
    unit = Unit(parent=parent, name=name, code=code or None)
    _save(unit, actor=actor, reason=_("Unit created"))
    return unit


@transaction.atomic
def unit_rename(*, actor: Actor, unit: Unit, name: str) -> Unit:
    """ORG-1: rename a unit; renaming to its own name is a no-op."""
    name = _check_name(parent=unit.parent, name=name, exclude_pk=unit.pk)
    if name == unit.name:
        return unit
    unit.name = name
    _save(unit, actor=actor, reason=_("Unit renamed"))
    return unit


@transaction.atomic
def unit_update_readiness(
    *,
    actor: Actor,
    unit: Unit,
    reserve_plan: str | None,
    reserve_plan_updated_on: date | None,
    staff_trained_on: date | None,
) -> Unit:
    """ORG-3: the reserve plan for power outages and the record of phone training."""
    unit.reserve_plan = (reserve_plan or "").strip()
    unit.reserve_plan_updated_on = reserve_plan_updated_on
    unit.staff_trained_on = staff_trained_on
    _save(unit, actor=actor, reason=_("Reserve plan and training updated"))
    return unit


@transaction.atomic
def unit_set_telesamordnare(*, actor: Actor, unit: Unit, people: Iterable[Person]) -> Unit:
    """ORG-2: name the unit's telesamordnare (replaces the previous set)."""
    people = list(people)
    for person in people:
        if not person.is_active:
            raise ValidationError(
                {"telesamordnare": _("%(name)s is no longer active.") % {"name": person}}
            )
    note_history(unit, actor=actor, reason=_("Telephony coordinators changed"))
    # simple-history records the m2m change itself (m2m_changed), with this user and reason.
    unit.telesamordnare.set(people)
    return unit


@transaction.atomic
def person_save(*, actor: Actor, person: Person, reason: str) -> Person:
    person.full_clean()
    return save_with_history(person, actor=actor, reason=reason)


# Sign-in through the directory (LDAP): organisation.ldap reads the directory, these write.

# Person fields the directory is the source of; a value it does not give is left as it is.
PERSON_DIRECTORY_FIELDS = ("first_name", "last_name", "email", "title", "external_id")
# Person fields that may not be empty (person_name_and_title_given).
_PERSON_REQUIRED_FIELDS = ("first_name", "last_name", "title")


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str]) -> tuple[set[str], set[str]]:
    """Make the user's role groups exactly `roles` (Role codes); other groups are kept.

    LDAP sign-in calls this with the roles of the mapped directory groups the user is in,
    so joining a group grants its role and leaving it takes the role away at the next
    sign-in. Returns the (added, removed) role codes; setting the same roles is a no-op.
    """
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValueError(f"not role codes: {', '.join(sorted(unknown))}")
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    added, removed = wanted - current, current - wanted
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    if added:
        user.groups.add(*(Group.objects.get_or_create(name=code)[0] for code in sorted(added)))
    if added or removed:
        log.info(
            "Roles of %s from the directory: added %s, removed %s",
            user.get_username(),
            sorted(added) or "none",
            sorted(removed) or "none",
        )
    # roles_of() caches the roles on the user object.
    user.__dict__.pop("_telefoni_roles", None)
    return added, removed


@transaction.atomic
def person_sync_from_directory(
    *, user: User, attrs: Mapping[str, str | None], unit: Unit | None
) -> Person | None:
    """Create or update the Person of a user who signed in through the directory (LDAP).

    `attrs` maps PERSON_DIRECTORY_FIELDS to the directory's values (missing or empty: not
    given, the stored value stays); `unit` is the Unit whose code matched the directory's
    unit attribute, or None (the person stays where they are). The person is found by the
    user link, else by the employee number, and is saved only when something changed, with
    the user as history user. With no person and no unit (or no name or title) none is
    created and None is returned: the start page tells such a user to call Tele kundtjänst.
    """
    given = {field: (attrs.get(field) or "").strip() for field in PERSON_DIRECTORY_FIELDS}
    person = Person.objects.select_for_update().filter(user=user).first()
    if person is None and given["external_id"]:
        person = Person.objects.select_for_update().filter(external_id=given["external_id"]).first()
        if person is not None and person.user_id is not None:
            log.warning(
                "Directory sign-in of %s: employee number %s belongs to person %s, who is "
                "linked to another account; not linked",
                user.get_username(),
                given["external_id"],
                person.pk,
            )
            return None
    creating = person is None
    if person is None:
        missing = [field for field in _PERSON_REQUIRED_FIELDS if not given[field]]
        if unit is None or missing:
            log.warning(
                "Directory sign-in of %s: no person created (%s)",
                user.get_username(),
                "no unit matches the directory's unit code"
                if unit is None
                else "the directory gives no " + ", ".join(missing),
            )
            return None
        person = Person(user=user)

    changed = []
    for field, value in given.items():
        if value and getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if unit is not None and person.unit_id != unit.pk:
        person.unit = unit
        changed.append("unit")
    if person.user_id != user.pk:
        person.user = user
        changed.append("user")
    if not changed:
        return person

    note_history(
        person,
        actor=user,
        reason=_("Created from the directory (LDAP)")
        if creating
        else _("Updated from the directory (LDAP)"),
    )
    try:
        person.full_clean()
        with transaction.atomic():
            person.save()
    except (ValidationError, IntegrityError) as exc:
        # Bad data in the directory (an e-mail address, a taken employee number) must not
        # stop the sign-in: keep the stored person and tell the logs.
        log.warning(
            "Directory sign-in of %s: person not %s (%s): %s",
            user.get_username(),
            "created" if creating else "updated",
            ", ".join(changed),
            exc,
        )
        return None if creating else Person.objects.filter(pk=person.pk).first()
    return person


# --- Cost centres ------------------------------------------------------------------------


@transaction.atomic
def cost_centre_save(
    *,
    actor: Actor,
    cost_centre: CostCentre | None,
    code: str,
    name: str,
    unit: Unit,
    budget_manager: Person,
    is_active: bool = True,
) -> CostCentre:
    """Create a cost centre (cost_centre None) or change one, with history. The code is
    unique; the budget-responsible manager must be an active person."""
    code, name = (code or "").strip(), " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Give the cost centre's code.")
    elif (
        CostCentre.objects.filter(code=code)
        .exclude(pk=cost_centre.pk if cost_centre is not None else 0)
        .exists()
    ):
        errors["code"] = _("Another cost centre already has this code.")
    if not name:
        errors["name"] = _("Give the cost centre's name.")
    if not budget_manager.is_active:
        errors["budget_manager"] = _("The budget-responsible manager must be an active person.")
    if errors:
        raise ValidationError(errors)
    created = cost_centre is None
    if cost_centre is None:
        cost_centre = CostCentre()
    cost_centre.code, cost_centre.name = code, name
    cost_centre.unit, cost_centre.budget_manager = unit, budget_manager
    cost_centre.is_active = is_active
    try:
        with transaction.atomic():
            save_with_history(
                cost_centre,
                actor=actor,
                reason=_("Cost centre created") if created else _("Cost centre changed"),
            )
    except IntegrityError as exc:  # the same code saved a moment ago by someone else
        raise ValidationError({"code": _("Another cost centre already has this code.")}) from exc
    return cost_centre


# --- ORG-1: moving and closing units, the organisation file ----------------------------


class UnitInUse(ValidationError):
    """A unit that still has people, phones, sub-units or cost centres cannot close:
    `hanging` is organisation.models.still_on_unit's [(model, label, count, url), ...]."""

    def __init__(self, unit: Unit, hanging: list[tuple[Any, str, int, str]]):
        self.unit, self.hanging = unit, hanging
        super().__init__(
            _("“%(name)s” cannot close: it still has %(what)s.")
            % {
                "name": unit.name,
                "what": ", ".join(f"{count} {label}" for _m, label, count, _u in hanging),
            }
        )


def _locked_unit(unit: Unit) -> Unit:
    return Unit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)


@transaction.atomic
def unit_move(*, actor: Actor, unit: Unit, parent: Unit | None, reason: str | None = None) -> Unit:
    """ORG-1: give `unit` a new parent (None: it becomes a förvaltning). Its whole subtree
    moves with it in one UPDATE (the materialised path's prefix replaced, depth and
    förvaltning set); the unit gets a history row, its sub-units none (their own parent
    and name do not change; path, depth and förvaltning are derived and not in history).
    Refused under its own subtree, into a closed unit, or onto a sibling's name."""
    unit = _locked_unit(unit)
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    if unit.parent_id == (parent.pk if parent is not None else None):
        return unit
    if unit.closed_on is not None:
        raise ValidationError({"parent": _("A closed unit cannot be moved.")})
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("A unit cannot be moved under itself or one of its own sub-units.")}
        )
    if parent is not None and parent.closed_on is not None:
        raise ValidationError({"parent": _("A unit cannot be moved into a closed unit.")})
    try:
        _check_name(parent=parent, name=unit.name, exclude_pk=unit.pk)
    except ValidationError as exc:
        raise ValidationError({"parent": exc.error_dict["name"]}) from None
    old_parent_name = unit.parent.name if unit.parent is not None else ""
    old_prefix = unit.path
    new_prefix = f"{parent.path if parent is not None else '/'}{unit.pk}/"
    depth_change = (parent.depth + 1 if parent is not None else 0) - unit.depth
    subtree = Unit.objects.filter(path__startswith=old_prefix)
    moved = list(subtree.values_list("pk", flat=True))
    subtree.update(
        path=Replace("path", Value(old_prefix), Value(new_prefix)),
        depth=F("depth") + depth_change,
        forvaltning=parent.forvaltning_id if parent is not None else unit.pk,
    )
    unit.refresh_from_db(fields=["path", "depth", "forvaltning"])
    unit.parent = parent
    _save(
        unit,
        actor=actor,
        reason=reason
        or _("Moved from %(old)s to %(new)s")
        % {"old": old_parent_name or "–", "new": parent.name if parent is not None else "–"},
    )
    # Telesök's rows copy their unit's key; the keys of the moved units follow.
    spread_unit_search_keys(moved)
    return unit


@transaction.atomic
def unit_close(*, actor: Actor, unit: Unit, reason: str | None = None) -> Unit:
    """ORG-1: close a unit the organisation no longer has; refused (UnitInUse) while it
    still has active people, phones not cancelled, devices, open sub-units or active
    cost centres. Closing a closed unit is a no-op."""
    unit = _locked_unit(unit)
    if unit.closed_on is not None:
        return unit
    hanging = still_on_unit(unit)
    if hanging:
        raise UnitInUse(unit, hanging)
    unit.closed_on = timezone.localdate()
    _save(unit, actor=actor, reason=reason or _("Unit closed"))
    return unit


@transaction.atomic
def unit_set_manager(
    *, actor: Actor, unit: Unit, manager: Person | None, reason: str | None = None
) -> Unit:
    """The unit's manager (enhetschef; for a förvaltning the förvaltningschef)."""
    if manager is not None and not manager.is_active:
        raise ValidationError({"manager": _("%(name)s is no longer active.") % {"name": manager}})
    unit = _locked_unit(unit)
    unit.manager = manager
    _save(unit, actor=actor, reason=reason or _("Manager changed"))
    return unit


@transaction.atomic
def cost_centre_move(
    *, actor: Actor, cost_centre: CostCentre, unit: Unit, reason: str | None = None
) -> CostCentre:
    """A cost centre now belongs to another unit (the organisation file says so)."""
    cost_centre = CostCentre.objects.select_for_update().get(pk=cost_centre.pk)
    cost_centre.unit = unit
    save_with_history(cost_centre, actor=actor, reason=reason or _("Cost centre moved"))
    return cost_centre


@transaction.atomic
def change_set_create(
    *, actor: User, file_name: str, content: bytes, scope: Unit | None
) -> OrgChangeSet:
    """Read the HR system's organisation file once and store what it would change, as a
    preview (nothing in the organisation changes yet). `scope` is the förvaltning of a
    förvaltningschef (None for Tele kundtjänst). An unreadable file is refused."""
    try:
        rows, encoding = orgfile.read_rows(content)
    except UploadRejected as rejected:
        raise ValidationError({"file": rejected.message}) from None
    planned = orgfile.plan(rows, scope=scope)
    change_set = OrgChangeSet(
        file_name=file_name[:255],
        encoding=encoding,
        rows=rows,
        scope=scope,
        uploaded_by=actor,
        **planned,
    )
    save_with_history(change_set, actor=actor, reason=_("Organisation file uploaded"))
    return change_set


def _locked_preview(change_set: OrgChangeSet) -> OrgChangeSet:
    locked = OrgChangeSet.objects.select_for_update().get(pk=change_set.pk)
    if locked.status != ChangeSetStatus.PREVIEW:
        raise ValidationError(
            _("This change set is already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def change_set_apply(*, actor: User, change_set: OrgChangeSet) -> OrgChangeSet:
    """Apply a previewed change set, all of it or nothing: the rows are planned again,
    and if the organisation changed since the preview (the plan differs) nothing is
    applied and a new preview is asked for."""
    change_set = _locked_preview(change_set)
    fresh = orgfile.plan(change_set.rows, scope=change_set.scope)
    if fresh["changes"] != change_set.changes or fresh["outside"] != change_set.outside:
        raise ValidationError(
            _(
                "The organisation has changed since this preview. Nothing was applied; "
                "make a new preview of the file."
            ),
            code="stale",
        )
    reason = _("Organisation file %(name)s") % {"name": change_set.file_name}
    created: dict[str, Unit] = {}

    def unit_of(change: dict[str, Any]) -> Unit:
        if change.get("unit_id"):
            return Unit.objects.get(pk=change["unit_id"])
        return created[change["unit_code"]]

    def parent_of(change: dict[str, Any]) -> Unit | None:
        if change["parent_id"]:
            return Unit.objects.get(pk=change["parent_id"])
        return created[change["parent_code"]] if change["parent_code"] else None

    for change in change_set.changes:
        kind = change["kind"]
        if kind == "create":
            created[change["code"]] = unit_create(
                actor=actor, parent=parent_of(change), name=change["name"], code=change["code"]
            )
        elif kind == "rename":
            unit = unit_of(change)
            unit.name = _check_name(parent=unit.parent, name=change["new"], exclude_pk=unit.pk)
            _save(unit, actor=actor, reason=reason)
        elif kind == "move":
            unit_move(actor=actor, unit=unit_of(change), parent=parent_of(change), reason=reason)
        elif kind == "manager":
            manager = Person.objects.get(pk=change["person_id"])
            unit_set_manager(actor=actor, unit=unit_of(change), manager=manager, reason=reason)
        elif kind == "cost_centre":
            centre = CostCentre.objects.get(pk=change["cost_centre_id"])
            cost_centre_move(actor=actor, cost_centre=centre, unit=unit_of(change), reason=reason)
        elif kind == "close":
            unit_close(actor=actor, unit=unit_of(change), reason=reason)
    change_set.status = ChangeSetStatus.APPLIED
    change_set.decided_by, change_set.decided_at = actor, timezone.now()
    save_with_history(change_set, actor=actor, reason=_("Applied"))
    return change_set


@transaction.atomic
def change_set_discard(*, actor: User, change_set: OrgChangeSet) -> OrgChangeSet:
    change_set = _locked_preview(change_set)
    change_set.status = ChangeSetStatus.DISCARDED
    change_set.decided_by, change_set.decided_at = actor, timezone.now()
    save_with_history(change_set, actor=actor, reason=_("Discarded"))
    return change_set


@transaction.atomic
def change_set_replan(*, actor: User, change_set: OrgChangeSet) -> OrgChangeSet:
    """A new preview of the same file's rows against the organisation as it is now; the
    old preview is discarded."""
    change_set_discard(actor=actor, change_set=change_set)
    fresh = OrgChangeSet(
        file_name=change_set.file_name,
        encoding=change_set.encoding,
        rows=change_set.rows,
        scope=change_set.scope,
        uploaded_by=actor,
        **orgfile.plan(change_set.rows, scope=change_set.scope),
    )
    save_with_history(fresh, actor=actor, reason=_("New preview of the organisation file"))
    return fresh
