"""seed_demo adds a catalogue, the demo units' phones, the demo orders and a SIM card, and
a second run adds nothing."""

from io import StringIO

from django.core.management import call_command

from demo import data as demo_data
from devices.choices import OrderStatus
from devices.models import CatalogueItem, Device, Order, SimCard
from devices.validators import validate_imei


def _counts():
    return tuple(m.objects.count() for m in (CatalogueItem, Device, Order, SimCard))


def test_seed_demo_adds_catalogue_devices_orders_and_a_sim_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    counts = _counts()
    assert counts[0] == len(demo_data.DEMO_CATALOGUE)
    assert counts[1] > 0 and counts[2] == len(demo_data.DEMO_ORDERS) and counts[3] == 1
    for device in Device.objects.select_related("subscription", "holder"):
        validate_imei(device.imei)
        assert device.holder == device.subscription.holder
        assert device.cost_centre == device.subscription.cost_centre
    statuses = sorted(Order.objects.values_list("status", flat=True))
    assert statuses == [OrderStatus.AWAITING_APPROVAL] * 2 + [OrderStatus.SENT]
    assert len(set(Order.objects.values_list("holder", flat=True))) == 3
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert _counts() == counts
