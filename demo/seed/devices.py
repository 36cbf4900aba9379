"""The demo's devices (devices app): the catalogue, the phones of the demo units, the
orders that wait for each role and a SIM card in anstalld's phone."""

from decimal import Decimal

from demo import data
from devices import services as device_services
from devices.choices import MobileReason, OrderKind
from devices.models import CatalogueItem, Device, Order, SimCard
from devices.validators import luhn_valid
from organisation.models import Person, Unit
from subscriptions.choices import Kind
from subscriptions.models import Subscription


def seed_devices(users):
    """DEV-1, DEV-2, DEV-3, DEV-5: the catalogue, the inventory of the demo units' mobile
    and MEX phones, the demo orders and anstalld's SIM card; nothing is added twice."""
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
    _seed_orders(users, model)
    _seed_sim(users)


def _seed_orders(users, model):
    """DEV-2, SUB-2, SUB-3: data.DEMO_ORDERS, each a mobile for a different person of its
    unit, sent as the telesamordnare sends (and the "approved" one approved by the
    enhetschef, which sends it on to Tele kundtjänst)."""
    tsam, chef = users["telesamordnare"], users["enhetschef"]
    taken = set(Order.objects.values_list("holder_id", flat=True))
    for state, code, description in data.DEMO_ORDERS:
        if Order.objects.filter(description=description).exists():
            continue
        unit = Unit.objects.get(code=code)
        holder = (
            Person.objects.filter(unit=unit, is_active=True, protected_identity=False)
            .exclude(pk__in=taken)
            .exclude(user__isnull=False, user__groups__isnull=False)  # no role-holder
            .order_by("-external_id")
            .first()
        )
        if holder is None:
            continue
        taken.add(holder.pk)
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
            description=description,
            send=True,
        )
        if state == "approved":
            device_services.order_approve(actor=chef, order=order)


def _seed_sim(users):
    """DEV-5: a SIM card with PIN and PUK in anstalld's phone (data.DEMO_SIM)."""
    person = users[data.DEMO_SIM["username"]].person
    device = (
        Device.objects.filter(subscription__holder=person)
        .select_related("subscription")
        .order_by("pk")
        .first()
    )
    if device is None or SimCard.objects.filter(subscription=device.subscription).exists():
        return
    base = "8946" + device.subscription.number.lstrip("+")[-14:].rjust(14, "0")
    iccid = next(base + d for d in "0123456789" if luhn_valid(base + d))
    device_services.sim_create(
        actor=users["telekundtjanst"],
        iccid=iccid,
        subscription=device.subscription,
        device=device,
        pin=data.DEMO_SIM["pin"],
        puk=data.DEMO_SIM["puk"],
    )
