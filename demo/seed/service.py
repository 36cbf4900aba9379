"""The demo's citizen service (service app): a callback, a phone note and a threat report."""

from datetime import timedelta

from absence import workdays
from service import services as service_services
from service.choices import Channel
from service.models import Callback, PhoneNote, ThreatReport


def seed_service(users):
    """SRV-2, SRV-3, SRV-4: a message Kundtjänst took for the demo employee (SMS, so no
    e-mail leaves), a phone note in a case and a threat report; nothing is added twice."""
    employee = getattr(users["anstalld"], "person", None)
    if employee is None:
        return
    if not Callback.objects.exists():
        service_services.callback_create(
            actor=users["kundtjanst"],
            recipient=employee,
            caller_name="Karin Medborgare",
            caller_phone="070-123 45 67",
            message="Undrar när beslutet om hemtjänst kommer. Nås bäst före lunch.",
            channel=Channel.SMS,
            passed_on_by_hand=True,
        )
    called = workdays.now() - timedelta(hours=1)
    if not PhoneNote.objects.exists():
        service_services.phone_note_create(
            actor=employee.user,
            received_at=called,
            caller="Sonen till den enskilde",
            summary="Berättar att modern inte längre klarar trappan och behöver mer hjälp.",
            case_number="VOF 2026/1234",
            unit=employee.unit,
        )
    if not ThreatReport.objects.exists():
        service_services.threat_report_create(
            actor=employee.user,
            reporter=employee,
            occurred_at=called,
            what_was_said="Om beslutet inte ändras kommer jag dit och då blir det bråk.",
            number_shown="Dolt nummer",
        )
