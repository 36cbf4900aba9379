"""Who may do what with voicemail boxes (VM-1..VM-5). Pure predicates.

The holder of a personal phone's box is its holder; a function or group phone's box is
held by the managers of its owning unit (or above). The deputy (bevakare) marks the box
listened and registers messages; the managers approve boxes (VM-1) and may name a deputy
(as they set a sick employee's hänvisning, ABS-3)."""

from common.roles import is_service_desk_or_admin
from common.users import AnyUser
from organisation.models import Person, Unit
from organisation.permissions import is_forvaltningschef_of, is_manager_of_unit, person_of
from subscriptions.models import Subscription

from .models import MessageRecord, VoicemailBox


def is_unit_manager(user: AnyUser, unit: Unit) -> bool:
    """The enhetschef of the unit or above, or its förvaltningschef."""
    return is_manager_of_unit(user, unit) or is_forvaltningschef_of(user, unit)


def is_holder(user: AnyUser, box: VoicemailBox) -> bool:
    subscription = box.subscription
    if subscription.holder_id is None:
        return is_unit_manager(user, subscription.unit)
    own = person_of(user)
    return own is not None and own.pk == subscription.holder_id


def is_deputy(user: AnyUser, box: VoicemailBox) -> bool:
    own = person_of(user)
    return own is not None and box.deputy_id is not None and own.pk == box.deputy_id


def person_may_listen(person: Person | None, box: VoicemailBox) -> bool:
    """For the signed link (no session): the holder of a personal phone or the deputy.
    A function phone's box is marked by its managers from their start page."""
    if person is None or not person.is_active:
        return False
    return person.pk in (box.subscription.holder_id, box.deputy_id)


def can_view_box(user: AnyUser, box: VoicemailBox) -> bool:
    return (
        is_holder(user, box)
        or is_deputy(user, box)
        or is_unit_manager(user, box.subscription.unit)
        or is_service_desk_or_admin(user)
    )


def can_listen(user: AnyUser, box: VoicemailBox) -> bool:
    """VM-4: the holder or the deputy marks "avlyssnad"; nobody else."""
    return is_holder(user, box) or is_deputy(user, box)


def can_switch(user: AnyUser, box: VoicemailBox) -> bool:
    """The holder switches the box off and on."""
    return is_holder(user, box)


def can_confirm_greeting(user: AnyUser, box: VoicemailBox) -> bool:
    """VM-2: the holder confirms their own personal greeting."""
    return is_holder(user, box)


def can_set_deputy(user: AnyUser, box: VoicemailBox) -> bool:
    return is_holder(user, box) or is_unit_manager(user, box.subscription.unit)


def can_register_message(user: AnyUser, box: VoicemailBox) -> bool:
    """VM-5: whoever listens to the box registers what it received."""
    return can_listen(user, box)


def can_approve_box(user: AnyUser, subscription: Subscription) -> bool:
    """VM-1: the enhetschef of the phone's unit or above; never for their own phone."""
    own = person_of(user)
    if own is not None and subscription.holder_id == own.pk:
        return False
    return is_unit_manager(user, subscription.unit)


def can_manage_unit(user: AnyUser, unit: Unit) -> bool:
    """The unit's voicemail page and message list: its managers and Tele kundtjänst."""
    return is_unit_manager(user, unit) or is_service_desk_or_admin(user)


def can_view_record(user: AnyUser, record: MessageRecord) -> bool:
    return can_view_box(user, record.box) or is_unit_manager(user, record.unit)


def can_edit_record(user: AnyUser, record: MessageRecord) -> bool:
    """Add the case number, correct the summary: who registers, and the unit's managers."""
    return can_register_message(user, record.box) or is_unit_manager(user, record.unit)
