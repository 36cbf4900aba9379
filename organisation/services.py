"""Every state change of the organisation: keyword-only, atomic, records who acted."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Unit, name_key, normalise_name


def _sibling_name_taken(*, parent, name, exclude_pk=None):
    siblings = Unit.objects.filter(parent=parent, name_key=name_key(name))
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    return siblings.exists()


def _check_name(*, parent, name, exclude_pk=None):
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


def _save(obj, *, actor, reason):
    obj._history_user = actor
    obj._change_reason = reason
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        # Two people saving the same name at once: the database constraint decides.
        raise ValidationError({"name": _("That name is already taken here.")}) from exc


@transaction.atomic
def unit_create(*, actor, parent, name, code=None):
    """ORG-1: create a unit (or, with no parent, a förvaltning)."""
    name = _check_name(parent=parent, name=name)
    unit = Unit(parent=parent, name=name, code=code or None)
    _save(unit, actor=actor, reason=_("Unit created"))
    return unit


@transaction.atomic
def unit_rename(*, actor, unit, name):
    """ORG-1: rename a unit; renaming to its own name is a no-op."""
    name = _check_name(parent=unit.parent, name=name, exclude_pk=unit.pk)
    if name == unit.name:
        return unit
    unit.name = name
    _save(unit, actor=actor, reason=_("Unit renamed"))
    return unit


@transaction.atomic
def unit_update_readiness(*, actor, unit, reserve_plan, reserve_plan_updated_on, staff_trained_on):
    """ORG-3: the reserve plan for power outages and the record of phone training."""
    unit.reserve_plan = (reserve_plan or "").strip()
    unit.reserve_plan_updated_on = reserve_plan_updated_on
    unit.staff_trained_on = staff_trained_on
    _save(unit, actor=actor, reason=_("Reserve plan and training updated"))
    return unit


@transaction.atomic
def unit_set_telesamordnare(*, actor, unit, people):
    """ORG-2: name the unit's telesamordnare (replaces the previous set)."""
    people = list(people)
    for person in people:
        if not person.is_active:
            raise ValidationError(
                {"telesamordnare": _("%(name)s is no longer active.") % {"name": person}}
            )
    unit._history_user = actor
    unit._change_reason = _("Telephony coordinators changed")
    # simple-history records the m2m change itself (m2m_changed), with this user and reason.
    unit.telesamordnare.set(people)
    return unit


@transaction.atomic
def person_save(*, actor, person, reason):
    person._history_user = actor
    person._change_reason = reason
    person.full_clean()
    person.save()
    return person
