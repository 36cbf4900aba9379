"""The demo's devices (devices app): the catalogue, the phones of the demo units and one
mobile order."""

from decimal import Decimal

from demo import data
from devices import services as device_services
from devices.choices import MobileReason, OrderKind
from devices.models import CatalogueItem, Device, Order
from devices.validators import luhn_valid
from organisation.models import Person, Unit
from subscriptions.choices import Kind
from subscriptions.models import Subscription


def seed_devices(users):
    """DEV-1, DEV-2, DEV-3: the catalogue, the inventory of the demo units' mobile and MEX
    phones, and one mobile order waiting for approval; nothing is added twice."""
    desk = users["telekundtjanst"]
    for name, kind, price, orderable in data.DEMO_CATALOGUE:
        if not CatalogueItem.objects.filter(name=name).exists():
            device_services.catalogue_item_save(
                actor=desk,
                item=CatalogueItem(
                    name=name, kind=kind, price=Decimal(price), is_orderable=orderable
                ),
            )
    model = CatalogueItem.objects.get(name=data.DEMO_CATALOGUE[0][0])
    phones = Subscription.objects.filter(
        unit__code__in=data.DEMO_DEVICE_UNITS, kind__in=[Kind.MEX, Kind.MOBILE]
    ).select_related("holder", "unit", "cost_centre")
    for phone in phones:
        if Device.objects.filter(subscription=phone).exists():
            continue
        base = "35" + phone.number.lstrip("+")[-12:].rjust(12, "0")
        imei = next(base + d for d in "0123456789" if luhn_valid(base + d))
        device_services.device_create(
            actor=desk,
            reason=data.CHANGE_REASON,
            model=model,
            imei=imei,
            serial_number=f"R58{phone.number[-6:]}",
            theft_mark=f"SM-{phone.extension or phone.number[-4:]}",
            holder=phone.holder,
            unit=phone.unit,
            cost_centre=phone.cost_centre,
            subscription=phone,
        )
    tsam = users["telesamordnare"]
    unit = Unit.objects.get(code=data.DEMO_ORDER_UNIT)
    holder = Person.objects.filter(unit=unit, is_active=True, protected_identity=False).last()
    if not Order.objects.exists() and holder is not None:
        subscription = holder.subscriptions.first()
        assert subscription is not None  # every demo person has a phone
        order = device_services.order_create(
            actor=tsam,
            unit=unit,
            cost_centre=subscription.cost_centre,
            kind=OrderKind.SUBSCRIPTION,
            subscription_kind=Kind.MOBILE,
            holder=holder,
            reason=MobileReason.SAFETY,
            item=model,
            description="Nattpatrullen behöver nå larmcentralen.",
        )
        device_services.order_submit(actor=tsam, order=order)
