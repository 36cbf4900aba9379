"""seed_demo adds a catalogue, the demo units' phones and one order, and a second run
adds nothing."""

from io import StringIO

from django.core.management import call_command

from demo import data as demo_data
from devices.choices import OrderStatus
from devices.models import CatalogueItem, Device, Order
from devices.validators import validate_imei


def test_seed_demo_adds_catalogue_devices_and_an_order_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    counts = (CatalogueItem.objects.count(), Device.objects.count(), Order.objects.count())
    assert counts[0] == len(demo_data.DEMO_CATALOGUE)
    assert counts[1] > 0 and counts[2] == 1
    for device in Device.objects.select_related("subscription", "holder"):
        validate_imei(device.imei)
        assert device.holder == device.subscription.holder
        assert device.cost_centre == device.subscription.cost_centre
    assert Order.objects.get().status == OrderStatus.AWAITING_APPROVAL
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert (CatalogueItem.objects.count(), Device.objects.count(), Order.objects.count()) == counts
