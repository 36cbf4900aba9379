"""Who may record, read and close callbacks (SRV-2), phone notes (SRV-3) and threat
reports (SRV-4). Pure predicates; objects a user may not read answer 404.

- A callback: anyone records one (Kundtjänst or a colleague answers for someone); one for
  a person with protected identity only Tele kundtjänst (ORG-4). It is read by its
  recipient, whoever recorded it, the recipient's managers, Tele kundtjänst and Kundtjänst
  (whole municipality, "read + messages"; not for protected identities). The recipient
  and their managers mark it contacted.
- A phone note: read by its author, the people placed in its unit and the unit's managers.
- A threat report: read only by the reporter, the manager it went to, the förvaltningschef
  of the reporter's förvaltning and Tele kundtjänst. Not even a systemadministratör.
"""

from common.roles import Role, is_service_desk, roles_of
from common.users import AnyUser
from organisation.models import Person, Unit
from organisation.permissions import is_forvaltningschef_of, is_manager_of_unit, person_of

from .models import Callback, PhoneNote, ThreatReport


def is_kundtjanst(user: AnyUser) -> bool:
    return Role.KUNDTJANST in roles_of(user)


def _is(user: AnyUser, person_id: int | None) -> bool:
    own = person_of(user)
    return own is not None and person_id is not None and own.pk == person_id


def manages(user: AnyUser, unit: Unit) -> bool:
    """The enhetschef of the unit or above, or its förvaltningschef."""
    return is_manager_of_unit(user, unit) or is_forvaltningschef_of(user, unit)


# --- Callbacks (SRV-2) -------------------------------------------------------------------


def can_record_callback_for(user: AnyUser, person: Person) -> bool:
    """ORG-4: a protected identity is not findable; only Tele kundtjänst takes a message
    for one."""
    if not person.is_active:
        return False
    return not person.protected_identity or is_service_desk(user)


def can_view_callback(user: AnyUser, callback: Callback) -> bool:
    recipient = callback.recipient
    if _is(user, recipient.pk) or callback.recorded_by_id == user.pk:
        return True
    if is_service_desk(user) or manages(user, recipient.unit):
        return True
    return is_kundtjanst(user) and not recipient.protected_identity


def can_close_callback(user: AnyUser, callback: Callback) -> bool:
    """The recipient marks it "kontaktad"; a manager may, when they took the call back
    themselves (the recipient is away)."""
    return _is(user, callback.recipient_id) or manages(user, callback.recipient.unit)


# --- Phone notes (SRV-3) -----------------------------------------------------------------


def can_read_unit_notes(user: AnyUser, unit: Unit) -> bool:
    own = person_of(user)
    return (own is not None and own.unit_id == unit.pk) or manages(user, unit)


def can_view_phone_note(user: AnyUser, note: PhoneNote) -> bool:
    return note.written_by_id == user.pk or can_read_unit_notes(user, note.unit)


# --- Threat reports (SRV-4) --------------------------------------------------------------


def can_view_threat_report(user: AnyUser, report: ThreatReport) -> bool:
    return (
        _is(user, report.reporter_id)
        or _is(user, report.manager_id)
        or is_forvaltningschef_of(user, report.unit)
        or is_service_desk(user)
    )


def can_acknowledge_threat_report(user: AnyUser, report: ThreatReport) -> bool:
    return _is(user, report.manager_id)
