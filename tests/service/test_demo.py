"""The demo municipality's citizen-service data: a callback on the demo employee's start
page, a phone note and a threat report to their manager; a second run adds none."""

from django.contrib.auth.models import User

from service.models import Callback, PhoneNote, ThreatReport
from tests.demo.test_seed_demo import seed  # noqa: F401


def test_demo_service_data_once(seed, client):  # noqa: F811
    seed()
    employee = User.objects.get(username="anstalld").person
    callback = Callback.objects.get()
    assert callback.recipient == employee and callback.is_open
    report = ThreatReport.objects.get()
    assert report.manager is not None and report.reporter == employee
    assert PhoneNote.objects.get().unit == employee.unit
    client.force_login(employee.user)
    assert "Karin Medborgare" in client.get("/").content.decode()
    client.force_login(report.manager.user)
    assert report in client.get("/").context["unread_threats"]
    seed()
    assert (Callback.objects.count(), PhoneNote.objects.count(), ThreatReport.objects.count()) == (
        1,
        1,
        1,
    )
