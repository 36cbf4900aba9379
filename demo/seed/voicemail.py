"""The demo's voicemail (voicemail app): a röstbrevlåda with a registered message and a
talsvar."""

from datetime import timedelta

from absence import workdays
from subscriptions.choices import Kind, Status
from subscriptions.models import Subscription
from voicemail import services as voicemail_services
from voicemail.choices import BoxKind


def seed_voicemail(users):
    """VM-1..VM-5: the demo employee's röstbrevlåda, approved by the demo enhetschef, with a
    confirmed greeting, switched on, and one registered message (a public record with a
    case number); a talsvar with the phone hours on a function phone of the same unit, if
    there is one. A phone that has a box is left as it is."""
    employee, manager = users["anstalld"], users["enhetschef"]
    person = getattr(employee, "person", None)
    if person is None:
        return
    phones = Subscription.objects.filter(status=Status.ACTIVE, voicemail_box__isnull=True)
    phone = phones.filter(holder=person).exclude(kind=Kind.MOBILE).order_by("pk").first()
    if phone is not None:
        box = voicemail_services.box_approve(
            actor=manager,
            subscription=phone,
            kind=BoxKind.ROSTBREVLADA,
            note="Arbetar mycket ute hos brukarna.",
        )
        voicemail_services.box_confirm_greeting(
            actor=employee, box=box, text="Jag lyssnar av meddelanden varje dag kl. 13."
        )
        box = voicemail_services.box_switch(actor=employee, box=box, on=True)
        voicemail_services.record_register(
            actor=employee,
            box=box,
            received_at=workdays.now() - timedelta(hours=20),
            caller="Anhörig, 070-765 43 21",
            summary="Frågar om ansökan om trygghetslarm har kommit in.",
            is_public_record=True,
            case_number="VOF 2026/2345",
        )
    function = phones.filter(holder__isnull=True, unit=person.unit).order_by("pk").first()
    if function is not None:
        box = voicemail_services.box_approve(
            actor=manager, subscription=function, kind=BoxKind.TALSVAR
        )
        voicemail_services.box_confirm_greeting(
            actor=manager, box=box, text="Telefontid måndag–fredag 8–10 och 13–15."
        )
        voicemail_services.box_switch(actor=manager, box=box, on=True)
