"""The demo municipality's absence data: every group phone's voice message (ABS-4), units'
hours (SRV-1), a few hänvisningar and a trip; a second run adds none."""

from absence.models import Redirect, Trip
from organisation.models import Unit
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.demo.test_seed_demo import seed  # noqa: F401


def test_demo_absence_data_once(seed):  # noqa: F811
    seed()
    groups = Subscription.objects.filter(kind=Kind.GROUP)
    assert groups.exists()
    assert not groups.filter(voice_message_to="").exists()
    reception = Unit.objects.get(code="3210")
    assert reception.phone_hours.startswith("Mån–fre")
    redirects, trips = Redirect.objects.count(), Trip.objects.count()
    assert redirects >= 2 and trips == 1
    seed()
    assert (Redirect.objects.count(), Trip.objects.count()) == (redirects, trips)
