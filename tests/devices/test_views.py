"""Every devices page: a role -> status table with one effect or content check per row,
bad input, and query counts of the lists at 1 and 3 items."""

from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from devices import services
from devices.choices import (
    ItemKind,
    LossKind,
    MobileReason,
    OrderKind,
    OrderStatus,
    SplitInvoiceStatus,
)
from devices.models import CatalogueItem, Device, LossReport, Order, PinView, SimCard
from devices.validators import luhn_valid
from subscriptions.choices import Kind, RequestKind, Status
from subscriptions.models import ChangeRequest
from tests.devices.conftest import ICCID, IMEI, IMEI_2, ROLES, table
from tests.factories import CostCentreFactory
from tests.services import pdf_text

ALL = table(200)
DESK = table(403, telekundtjanst=200, admin=200)


def _url(name, *args):
    return reverse(f"devices:{name}", args=args)


def _expect(response, status):
    assert response.status_code == status, (response.status_code, status)
    if status == 302 and response.wsgi_request.user.is_anonymous:
        assert response["Location"].startswith(reverse("login"))


def _hidden(visible, acting=()):
    """404 for those who may not see the object, 403 for those who see it but may not act,
    the given status for those who act."""
    return {who: 302 if who == "anonymous" else 404 if who not in visible else 403 for who in ROLES}


@pytest.fixture
def sim(device, mobile, desk):
    return services.sim_create(
        actor=desk, iccid=ICCID, subscription=mobile, device=device, pin="4711", puk="87654321"
    )


# --- start page ---------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", ALL.items())
def test_mine(as_user, device, who, status):
    response = as_user(who).get(_url("mine"))
    _expect(response, status)
    if who == "employee":
        assert IMEI in response.content.decode()
    elif status == 200:
        assert IMEI not in response.content.decode()


# --- catalogue ----------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", ALL.items())
def test_dev_1_catalogue_list(as_user, items, who, status):
    response = as_user(who).get(_url("catalogue_list"))
    _expect(response, status)
    if status == 200:
        assert "Mobil Standard" in response.content.decode()
        assert "2 490,00" in response.content.decode().replace("\xa0", " ")


@pytest.mark.parametrize("count", [1, 3])
def test_dev_1_catalogue_query_count(as_user, count, django_assert_num_queries):
    for i in range(count):
        CatalogueItem.objects.create(name=f"Telefon {i}", kind=ItemKind.PHONE, price=100)
    client = as_user("employee")
    with django_assert_num_queries(6):
        response = client.get(_url("catalogue_list"))
    assert len(response.context["items"]) == count


@pytest.mark.parametrize("who, status", table(403, telekundtjanst=302, admin=302).items())
def test_dev_1_only_tele_kundtjanst_keeps_the_catalogue(as_user, who, status):
    client = as_user(who)
    data = {"name": "Laddare", "kind": ItemKind.ACCESSORY, "price": "149,00", "is_orderable": "on"}
    _expect(client.post(_url("catalogue_create"), data), status)
    made = status == 302 and who != "anonymous"
    assert CatalogueItem.objects.filter(name="Laddare").exists() == made
    if made:
        assert CatalogueItem.objects.get(name="Laddare").price == Decimal("149.00")


def test_dev_1_catalogue_edit_withdraws_an_item(as_user, items, desk):
    client = as_user("telekundtjanst")
    item = items["phone"]
    data = {"name": item.name, "kind": item.kind, "price": "2490", "is_orderable": ""}
    _expect(client.post(_url("catalogue_edit", item.pk), data), 302)
    item.refresh_from_db()
    assert item.is_orderable is False
    assert item.history.latest().history_user == desk


# --- orders -------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", ALL.items())
def test_dev_2_order_list(as_user, order, who, status):
    response = as_user(who).get(_url("order_list"))
    _expect(response, status)
    if status == 200:
        listed = list(response.context["orders"])
        # A draft is seen by the telesamordnare of its förvaltning and Tele kundtjänst.
        assert (order in listed) == (who in ("telesamordnare", "telekundtjanst", "admin"))


@pytest.mark.parametrize("count", [1, 3])
def test_dev_2_order_list_query_count(
    as_user, world, tsam, items, count, django_assert_num_queries
):
    for _ in range(count):
        services.order_create(
            actor=tsam.user,
            unit=world.grupp,
            cost_centre=world.cost_centre,
            kind=OrderKind.ACCESSORY,
            item=items["accessory"],
        )
    client = as_user("telesamordnare")
    with django_assert_num_queries(7):
        response = client.get(_url("order_list"))
    assert len(response.context["orders"]) == count


def test_sub_2_the_enhetschef_sees_orders_awaiting_approval(as_user, order, tsam):
    services.order_submit(actor=tsam.user, order=order)
    listed = as_user("manager").get(_url("order_list")).context["orders"]
    assert [o.pk for o in listed] == [order.pk]


@pytest.mark.parametrize(
    "who, status", table(403, telesamordnare=302, telesamordnare_other=200).items()
)
def test_dev_2_order_create(as_user, world, items, who, status):
    data = {
        "kind": OrderKind.ACCESSORY,
        "unit": world.grupp.pk,
        "cost_centre": world.cost_centre.pk,
        "item": items["accessory"].pk,
        "quantity": 2,
    }
    response = as_user(who).post(_url("order_create"), data)
    _expect(response, status)
    if who == "telesamordnare":
        order = Order.objects.get()
        assert (order.status, order.quantity, order.forvaltning) == (
            OrderStatus.DRAFT,
            2,
            world.vof,
        )
    else:
        # The other förvaltning's telesamordnare is told the unit is outside theirs.
        assert not Order.objects.exists()
        if who == "telesamordnare_other":
            assert response.context["form"].has_error("unit", "invalid_choice")


def _mobile_order_form(world, items):
    """The order form filled in for a mobile phone for Anna (SUB-2)."""
    return {
        "kind": OrderKind.SUBSCRIPTION,
        "subscription_kind": Kind.MOBILE,
        "holder": world.people["employee"].pk,
        "reason": MobileReason.SAFETY,
        "unit": world.grupp.pk,
        "cost_centre": world.cost_centre.pk,
        "item": items["phone"].pk,
        "quantity": 1,
    }


@pytest.mark.parametrize(
    "who, status", table(403, telesamordnare=302, telesamordnare_other=200).items()
)
def test_dev_2_order_saved_and_sent_in_one_step(
    as_user, world, items, who, status, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 19.8: "Skicka" saves and sends; a mobile order goes for approval at once."""
    data = _mobile_order_form(world, items) | {"send": "1"}
    client = as_user(who)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("order_create"), data, follow=who == "telesamordnare")
    if who != "telesamordnare":
        _expect(response, status)
        assert not Order.objects.exists() and not mailoutbox
        return
    order = Order.objects.get()
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert f"Beställning nr {order.pk} skickades för godkännande." in response.content.decode()
    assert [m.to for m in mailoutbox] == [[world.people["manager"].email]]


def test_dev_2_the_order_form_offers_send_first_and_save_draft_second(as_user):
    page = as_user("telesamordnare").get(_url("order_create")).content.decode()
    send = page.index('<button type="submit" name="send" value="1">Skicka</button>')
    assert page.index('<button type="submit" class="secondary">Spara utkast</button>') > send


@pytest.mark.parametrize(
    "field, change, message",
    [
        ("item", "old", "Den här artikeln kan inte längre beställas."),
        ("unit", "bibliotek", "Du kan bara beställa för din egen förvaltning."),
        ("reason", "", "En MEX- eller mobiltelefon behöver ett av de fyra skälen"),
    ],
)
def test_dev_2_order_bad_input_in_swedish(as_user, world, items, field, change, message):
    data = _mobile_order_form(world, items)
    data[field] = {"old": items["old"].pk, "bibliotek": world.bibliotek.pk}.get(change, change)
    response = as_user("telesamordnare").post(_url("order_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()


ORDER_VISIBLE = ("telesamordnare", "telekundtjanst", "admin", "manager")


@pytest.mark.parametrize("who, status", _hidden(ORDER_VISIBLE).items())
def test_dev_2_order_detail(as_user, order, who, status):
    status = 200 if who in ORDER_VISIBLE else status
    response = as_user(who).get(_url("order_detail", order.pk))
    _expect(response, status)
    if status == 200:
        assert "Mobil Standard" in response.content.decode()


@pytest.mark.parametrize("who, status", (_hidden(ORDER_VISIBLE) | {"telesamordnare": 302}).items())
def test_dev_2_order_submit(as_user, order, who, status):
    _expect(as_user(who).post(_url("order_submit", order.pk)), status)
    order.refresh_from_db()
    expected = OrderStatus.AWAITING_APPROVAL if status == 302 and who != "anonymous" else "draft"
    assert order.status == expected


@pytest.mark.parametrize("who, status", (_hidden(ORDER_VISIBLE) | {"telesamordnare": 302}).items())
def test_dev_2_order_delete_draft(as_user, order, who, status):
    _expect(as_user(who).post(_url("order_delete", order.pk)), status)
    deleted = status == 302 and who != "anonymous"
    assert Order.objects.filter(pk=order.pk).exists() != deleted
    if deleted:
        record = Order.history.filter(id=order.pk).latest()
        assert (record.history_type, record.history_change_reason) == ("-", "Utkast borttaget")


def test_dev_2_only_a_draft_can_be_deleted(as_user, order, tsam):
    services.order_submit(actor=tsam.user, order=order)
    assert as_user("telesamordnare").post(_url("order_delete", order.pk)).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.parametrize("who, status", (_hidden(ORDER_VISIBLE) | {"manager": 302}).items())
def test_sub_2_order_approve_sends_it_on(
    as_user, world, order, tsam, who, status, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 19.8: the enhetschef's approval sends the order to Tele kundtjänst; the
    telesamordnare is told by e-mail and has nothing left to press."""
    with django_capture_on_commit_callbacks(execute=True):
        services.order_submit(actor=tsam.user, order=order)
    mailoutbox.clear()
    client = as_user(who)
    with django_capture_on_commit_callbacks(execute=True):
        _expect(client.post(_url("order_approve", order.pk)), status)
    order.refresh_from_db()
    approved = status == 302 and who != "anonymous"
    assert order.status == (OrderStatus.SENT if approved else OrderStatus.AWAITING_APPROVAL)
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    if approved:
        assert order.approved_by == world.people["manager"].user
        assert subjects == {
            "tele.kundtjanst@kommun.example": f"Ny beställning nr {order.pk}",
            tsam.email: f"Beställning nr {order.pk} är godkänd och skickad till Tele kundtjänst",
        }
        page = as_user("telesamordnare").get(_url("order_detail", order.pk)).content.decode()
        assert (
            "Skicka till Tele kundtjänst" not in page and _url("order_send", order.pk) not in page
        )
    else:
        assert subjects == {}


@pytest.mark.parametrize("who, status", (_hidden(ORDER_VISIBLE) | {"telesamordnare": 302}).items())
def test_dev_2_order_approved_before_the_change_is_still_sent(
    as_user, world, order, tsam, who, status
):
    """An order approved before approval sent orders on (issue 19.8) is sent by hand."""
    services.order_submit(actor=tsam.user, order=order)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.APPROVED)
    _expect(as_user(who).post(_url("order_send", order.pk)), status)
    order.refresh_from_db()
    sent = status == 302 and who != "anonymous"
    assert order.status == (OrderStatus.SENT if sent else OrderStatus.APPROVED)


@pytest.fixture
def sent_order(world, order, tsam):
    services.order_submit(actor=tsam.user, order=order)
    return services.order_approve(actor=world.people["manager"].user, order=order)


# The enhetschef saw the order while approving it and still sees it afterwards.
SENT_TABLE = _hidden(ORDER_VISIBLE) | {"telekundtjanst": 302, "admin": 302}


@pytest.mark.parametrize("who, status", SENT_TABLE.items())
def test_dev_2_order_reject(as_user, sent_order, who, status):
    response = as_user(who).post(_url("order_reject", sent_order.pk), {"reason": "Finns i lager"})
    _expect(response, status)
    sent_order.refresh_from_db()
    rejected = status == 302 and who != "anonymous"
    assert sent_order.status == (OrderStatus.REJECTED if rejected else OrderStatus.SENT)
    if rejected:
        assert sent_order.rejection_reason == "Finns i lager"


def test_dev_2_reject_needs_a_reason(as_user, sent_order):
    response = as_user("telekundtjanst").post(_url("order_reject", sent_order.pk), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].has_error("reason")


@pytest.mark.parametrize("who, status", SENT_TABLE.items())
def test_dev_2_order_deliver(as_user, world, sent_order, who, status):
    data = {"number": "070-111 22 33", "imei": IMEI_2, "iccid": "", "pin": "", "puk": ""}
    _expect(as_user(who).post(_url("order_deliver", sent_order.pk), data), status)
    sent_order.refresh_from_db()
    delivered = status == 302 and who != "anonymous"
    assert sent_order.status == (OrderStatus.DELIVERED if delivered else OrderStatus.SENT)
    if delivered:
        device = Device.objects.get(imei=IMEI_2)
        assert device.subscription.number == "+46701112233"
        assert device.cost_centre == world.cost_centre


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("imei", "490154203237519", "imei_check_digit"),
        ("iccid", "89460100001234567895", "iccid_check_digit"),
        ("number", "12", "invalid_number"),
    ],
)
def test_dev_2_deliver_bad_input_saves_nothing(as_user, sent_order, field, value, code):
    data = {"number": "070-111 22 33", "imei": IMEI_2} | {field: value}
    response = as_user("telekundtjanst").post(_url("order_deliver", sent_order.pk), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field), form.errors
    sent_order.refresh_from_db()
    assert sent_order.status == OrderStatus.SENT
    assert not Device.objects.exists()


def test_dev_2_deliver_duplicate_imei_is_refused(as_user, device, sent_order):
    data = {"number": "070-111 22 33", "imei": IMEI}
    response = as_user("telekundtjanst").post(_url("order_deliver", sent_order.pk), data)
    assert response.status_code == 200
    assert "En telefon med detta IMEI finns redan i inventariet." in response.content.decode()
    assert Device.objects.count() == 1


# --- inventory ----------------------------------------------------------------------------

INVENTORY = table(403, telekundtjanst=200, admin=200, telesamordnare=200, forvaltningschef=200)


@pytest.mark.parametrize("who, status", INVENTORY.items())
def test_dev_3_inventory(as_user, world, device, who, status):
    response = as_user(who).get(_url("inventory", world.vof.pk))
    _expect(response, status)
    if status == 200:
        body = response.content.decode()
        assert IMEI in body and "SM-001" in body and "Anna Östlund" in body


@pytest.mark.parametrize("count", [1, 3])
def test_dev_3_inventory_query_count(
    as_user, world, desk, items, mobile, count, django_assert_num_queries
):
    for i in range(count):
        services.device_create(
            actor=desk,
            model=items["phone"],
            serial_number=f"SN{i}",
            holder=world.people["employee"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
            subscription=mobile,
        )
    client = as_user("telesamordnare")
    with django_assert_num_queries(8):
        response = client.get(_url("inventory", world.vof.pk))
    assert len(response.context["devices"]) == count


@pytest.mark.parametrize("who, status", INVENTORY.items())
def test_dev_3_inventory_csv(as_user, world, device, who, status):
    response = as_user(who).get(_url("inventory_export", world.vof.pk, "csv"))
    _expect(response, status)
    if status == 200:
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        assert (
            f"Mobil Standard;{IMEI};SN-1;SM-001;Anna Östlund;Hemtjänst Norr grupp 1;4100;" in text
        )


def test_dev_3_inventory_xlsx_and_pdf(as_user, world, device, tmp_path):
    client = as_user("telesamordnare")
    response = client.get(_url("inventory_export", world.vof.pk, "xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "inventory.xlsx"
    path.write_bytes(response.content)
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows[1][:4] == ("Mobil Standard", IMEI, "SN-1", "SM-001")
    response = client.get(_url("inventory_export", world.vof.pk, "pdf"))
    text = pdf_text(response.content, tmp_path)
    assert "Inventarie för Vård- och omsorgsförvaltningen" in text
    assert IMEI in text and "Anna Östlund" in text
    assert client.get(_url("inventory_export", world.vof.pk, "doc")).status_code == 404


@pytest.mark.parametrize("who, status", INVENTORY.items())
def test_sub_4_labels(as_user, world, function_phone, who, status, tmp_path):
    url = _url("labels", world.vof.pk)
    response = as_user(who).get(url, {"phone": function_phone.pk})
    _expect(response, status)
    if status == 200:
        text = pdf_text(response.content, tmp_path)
        assert "019-21 15 00" in text and "Hemtjänst Norr" in text and "Receptionen" in text


def test_sub_4_labels_page_lists_function_phones_only(as_user, world, function_phone, mobile):
    response = as_user("telesamordnare").get(_url("labels", world.vof.pk))
    assert list(response.context["phones"]) == [function_phone]


@pytest.mark.parametrize(
    "who, status", table(403, telekundtjanst=302, admin=302, telesamordnare=302).items()
)
def test_dev_3_device_create(as_user, world, items, who, status):
    data = {
        "model": items["phone"].pk,
        "imei": IMEI,
        "serial_number": "X1",
        "unit": world.grupp.pk,
        "cost_centre": world.cost_centre.pk,
        "status": "in_stock",
    }
    _expect(as_user(who).post(_url("device_create", world.vof.pk), data), status)
    assert Device.objects.filter(imei=IMEI).exists() == (status == 302 and who != "anonymous")


@pytest.mark.parametrize(
    "imei, message",
    [
        ("490154203237519", "IMEI-numrets kontrollsiffra är fel"),
        ("12345", "Ett IMEI-nummer har 15 siffror."),
        (IMEI, "En telefon med detta IMEI finns redan i inventariet."),
    ],
)
def test_dev_3_device_bad_imei_in_swedish(as_user, world, items, device, imei, message):
    data = {
        "model": items["phone"].pk,
        "imei": imei,
        "unit": world.grupp.pk,
        "cost_centre": world.cost_centre.pk,
        "status": "in_stock",
    }
    response = as_user("telesamordnare").post(_url("device_create", world.vof.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Device.objects.count() == 1


DEVICE_VISIBLE = ("telesamordnare", "telekundtjanst", "admin", "employee", "manager",
                  "forvaltningschef")  # fmt: skip


@pytest.mark.parametrize("who, status", _hidden(DEVICE_VISIBLE).items())
def test_dev_3_device_detail(as_user, device, who, status):
    status = 200 if who in DEVICE_VISIBLE else status
    response = as_user(who).get(_url("device_detail", device.pk))
    _expect(response, status)
    if status == 200:
        assert "SM-001" in response.content.decode()


@pytest.mark.parametrize(
    "who, status",
    (
        _hidden(DEVICE_VISIBLE) | dict.fromkeys(["telesamordnare", "telekundtjanst", "admin"], 302)
    ).items(),
)
def test_dev_3_device_edit(as_user, world, device, who, status):
    data = {
        "model": device.model_id,
        "imei": IMEI,
        "serial_number": "SN-1",
        "theft_mark": "SM-999",
        "holder": device.holder_id,
        "unit": device.unit_id,
        "subscription": device.subscription_id,
        "status": "in_use",
        "cost_centre": CostCentreFactory(unit=world.grupp).pk,  # ignored: DEV-4
    }
    _expect(as_user(who).post(_url("device_edit", device.pk), data), status)
    device.refresh_from_db()
    changed = status == 302 and who != "anonymous"
    assert device.theft_mark == ("SM-999" if changed else "SM-001")
    assert device.cost_centre == world.cost_centre


@pytest.mark.parametrize("who, status", (_hidden(DEVICE_VISIBLE) | {"telesamordnare": 302}).items())
def test_dev_4_device_cost_centre(as_user, world, device, who, status):
    other = CostCentreFactory(code="4300", unit=world.grupp)
    response = as_user(who).post(
        _url("device_cost_centre", device.pk), {"cost_centre": other.pk, "message": "Flytt"}
    )
    _expect(response, status)
    made = status == 302 and who != "anonymous"
    assert ChangeRequest.objects.filter(kind=RequestKind.DEVICE).exists() == made
    device.refresh_from_db()
    assert device.cost_centre == world.cost_centre


@pytest.mark.parametrize(
    "who, status", (_hidden(DEVICE_VISIBLE) | {"telekundtjanst": 302, "admin": 302}).items()
)
def test_dev_5_sim_create(as_user, device, who, status):
    data = {"iccid": ICCID, "pin": "1234", "puk": "12345678"}
    _expect(as_user(who).post(_url("sim_create", device.pk), data), status)
    assert SimCard.objects.filter(device=device).exists() == (status == 302 and who != "anonymous")


def test_dev_5_sim_duplicate_iccid_in_swedish(as_user, device, sim):
    data = {"iccid": ICCID, "pin": "1234", "puk": "12345678"}
    response = as_user("telekundtjanst").post(_url("sim_create", device.pk), data)
    assert response.status_code == 200
    assert "Ett SIM-kort med detta ICCID finns redan registrerat." in response.content.decode()
    assert SimCard.objects.count() == 1


# DEV-5: not the systemadministratör (issue 16.4).
PIN = _hidden(()) | {"employee": 200, "telekundtjanst": 200}


@pytest.mark.parametrize("who, status", PIN.items())
def test_dev_5_pin_only_holder_and_desk_and_each_view_logged(as_user, sim, who, status):
    client = as_user(who)
    response = client.get(_url("sim_pin", sim.pk))
    _expect(response, status)
    if status == 200:
        assert "87654321" not in response.content.decode()
    assert not PinView.objects.exists()
    response = client.post(_url("sim_pin", sim.pk))
    _expect(response, status)
    if status == 200:
        assert "4711" in response.content.decode() and "87654321" in response.content.decode()
        view = PinView.objects.get()
        assert view.viewed_by.username == response.wsgi_request.user.username
    else:
        assert not PinView.objects.exists()


# --- loss reports -------------------------------------------------------------------------

LOSS = _hidden(DEVICE_VISIBLE) | dict.fromkeys(
    ["employee", "telesamordnare", "telekundtjanst", "admin"], 302
)


@pytest.mark.parametrize("who, status", LOSS.items())
def test_sub_7_loss_report_blocks_at_once(as_user, device, mobile, who, status):
    data = {"kind": LossKind.STOLEN, "occurred_on": "2026-11-27", "police_report_number": "K-1"}
    _expect(as_user(who).post(_url("loss_report_create", device.pk), data), status)
    made = status == 302 and who != "anonymous"
    assert LossReport.objects.exists() == made
    mobile.refresh_from_db()
    assert mobile.status == (Status.BLOCKED if made else Status.ACTIVE)


def test_sub_7_theft_without_police_report_in_swedish(as_user, device, mobile):
    data = {"kind": LossKind.STOLEN, "occurred_on": "2026-11-27", "police_report_number": ""}
    response = as_user("employee").post(_url("loss_report_create", device.pk), data)
    assert response.status_code == 200
    assert "polisanmälans nummer" in response.content.decode()
    assert not LossReport.objects.exists()
    mobile.refresh_from_db()
    assert mobile.status == Status.ACTIVE


@pytest.fixture
def report(device, world):
    return services.loss_report_create(
        actor=world.people["employee"].user,
        device=device,
        kind=LossKind.STOLEN,
        police_report_number="5000-K123456-26",
    )


REPORT = _hidden(()) | dict.fromkeys(["employee", "telesamordnare", "telekundtjanst", "admin"], 200)


@pytest.mark.parametrize("who, status", REPORT.items())
def test_sub_7_loss_report_detail(as_user, report, who, status):
    response = as_user(who).get(_url("loss_report_detail", report.pk))
    _expect(response, status)
    if status == 200:
        assert "5000-K123456-26" in response.content.decode()


@pytest.mark.parametrize("who, status", REPORT.items())
def test_sub_7_loss_report_pdf(as_user, report, who, status, tmp_path):
    response = as_user(who).get(_url("loss_report_pdf", report.pk))
    _expect(response, status)
    if status == 200:
        text = pdf_text(response.content, tmp_path)
        assert "5000-K123456-26" in text and IMEI in text and "Stulen" in text


# --- barring and delad faktura -------------------------------------------------------------

SUB_VISIBLE = ("budgetchef", "telesamordnare", "employee", "telekundtjanst", "admin", "manager")


@pytest.mark.parametrize("who, status", _hidden(SUB_VISIBLE).items())
def test_bar_2_barring_page(as_user, mobile, who, status):
    status = 200 if who in SUB_VISIBLE else status
    response = as_user(who).get(_url("barring", mobile.pk))
    _expect(response, status)
    if status == 200:
        assert response.context["subscription"] == mobile
        assert (response.context["form"] is not None) == (who in ("budgetchef", "telesamordnare"))


@pytest.mark.parametrize(
    "who, status", (_hidden(SUB_VISIBLE) | {"budgetchef": 302, "telesamordnare": 302}).items()
)
def test_bar_2_barring_change(as_user, mobile, who, status):
    data = {"open_international": "on", "reason": "Tjänsteresa"}
    _expect(as_user(who).post(_url("barring", mobile.pk), data), status)
    made = status == 302 and who != "anonymous"
    requests = ChangeRequest.objects.filter(kind=RequestKind.BARRING)
    assert requests.exists() == made
    if made:
        assert requests.get().changes == {"open_international": {"old": False, "new": True}}


def test_bar_2_barring_history_shows_reason(as_user, mobile, world, desk):
    from subscriptions.services import change_request_apply

    request = services.barring_change_request(
        actor=world.people["budgetchef"].user,
        subscription=mobile,
        values={"open_premium": True},
        reason="Röstning i TV",
    )
    change_request_apply(actor=desk, request=request)
    body = as_user("employee").get(_url("barring", mobile.pk)).content.decode()
    assert "Röstning i TV" in body and "Genomförd" in body


@pytest.mark.parametrize("who, status", (_hidden(SUB_VISIBLE) | {"employee": 302}).items())
def test_sub_6_split_invoice_request(as_user, mobile, who, status):
    _expect(as_user(who).post(_url("split_invoice_request", mobile.pk)), status)
    assert mobile.split_invoices.exists() == (status == 302 and who != "anonymous")


@pytest.fixture
def split(mobile, world):
    return services.split_invoice_request(actor=world.people["employee"].user, subscription=mobile)


SPLIT_VISIBLE = ("employee", "manager", "budgetchef", "telekundtjanst", "admin")


@pytest.mark.parametrize("who, status", _hidden(SPLIT_VISIBLE).items())
def test_sub_6_split_invoice_detail(as_user, split, who, status):
    status = 200 if who in SPLIT_VISIBLE else status
    response = as_user(who).get(_url("split_invoice_detail", split.pk))
    _expect(response, status)
    if status == 200:
        assert response.context["split"] == split


@pytest.mark.parametrize(
    "who, status", (_hidden(SPLIT_VISIBLE) | {"manager": 302, "budgetchef": 302}).items()
)
def test_sub_6_split_invoice_consent(as_user, split, who, status):
    _expect(as_user(who).post(_url("split_invoice_consent", split.pk)), status)
    split.refresh_from_db()
    consented = status == 302 and who != "anonymous"
    assert split.status == (
        SplitInvoiceStatus.CONSENTED if consented else SplitInvoiceStatus.REQUESTED
    )


@pytest.mark.parametrize(
    "who, status", (_hidden(SPLIT_VISIBLE) | {"telekundtjanst": 302, "admin": 302}).items()
)
def test_sub_6_split_invoice_activate(as_user, world, split, who, status):
    services.split_invoice_consent(actor=world.people["manager"].user, split=split)
    _expect(as_user(who).post(_url("split_invoice_activate", split.pk)), status)
    split.refresh_from_db()
    active = status == 302 and who != "anonymous"
    assert split.status == (SplitInvoiceStatus.ACTIVE if active else SplitInvoiceStatus.CONSENTED)


@pytest.mark.parametrize(
    "who, status", (_hidden(SPLIT_VISIBLE) | {"telekundtjanst": 302, "admin": 302}).items()
)
def test_sub_6_split_invoice_end(as_user, split, who, status):
    _expect(as_user(who).post(_url("split_invoice_end", split.pk), {"reason": "Missbruk"}), status)
    split.refresh_from_db()
    ended = status == 302 and who != "anonymous"
    assert split.status == (SplitInvoiceStatus.ENDED if ended else SplitInvoiceStatus.REQUESTED)


# --- more lists: query counts at 1 and 3 items ---------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_mine_query_count(as_user, world, desk, items, mobile, count, django_assert_num_queries):
    for i in range(count):
        phone = services.device_create(
            actor=desk,
            model=items["phone"],
            serial_number=f"SN{i}",
            holder=world.people["employee"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
            subscription=mobile,
        )
        base = f"8946010000{i:09d}"
        iccid = next(base + d for d in "0123456789" if luhn_valid(base + d))
        services.sim_create(
            actor=desk, iccid=iccid, subscription=mobile, device=phone, pin="1234", puk="12345678"
        )
    client = as_user("employee")
    with django_assert_num_queries(9):
        response = client.get(_url("mine"))
    assert len(response.context["devices"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_sub_4_labels_page_query_count(as_user, world, desk, count, django_assert_num_queries):
    from subscriptions.services import subscription_create

    for i in range(count):
        subscription_create(
            actor=desk,
            kind=Kind.FUNCTION,
            number=f"+461921160{i}",
            extension=f"160{i}",
            function_name=f"Reception {i}",
            unit=world.hemtjanst,
            cost_centre=world.cost_centre,
        )
    client = as_user("telesamordnare")
    with django_assert_num_queries(8):
        response = client.get(_url("labels", world.vof.pk))
    assert len(response.context["phones"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_bar_2_barring_history_query_count(
    as_user, world, mobile, desk, count, django_assert_num_queries
):
    from subscriptions.services import change_request_reject

    for i in range(count):
        request = services.barring_change_request(
            actor=world.people["budgetchef"].user,
            subscription=mobile,
            values={"open_premium": True},
            reason=f"Skäl {i}",
        )
        change_request_reject(actor=desk, request=request, reason="Nej")
    client = as_user("budgetchef")
    with django_assert_num_queries(8):
        response = client.get(_url("barring", mobile.pk))
    assert len(response.context["requests"]) == count


def test_dev_4_and_sub_7_requests_show_in_the_tele_kundtjanst_queue(as_user, world, device, tsam):
    other = CostCentreFactory(code="4300", name="Hemtjänst Norr natt", unit=world.grupp)
    services.device_cost_centre_request(actor=tsam.user, device=device, cost_centre=other)
    services.loss_report_create(
        actor=tsam.user, device=device, kind=LossKind.LOST, description="Tappad på bussen"
    )
    response = as_user("telekundtjanst").get(reverse("subscriptions:change_request_list"))
    body = response.content.decode()
    assert "4300 Hemtjänst Norr natt" in body
    assert "Spärr hos operatören" in body and IMEI in body


def test_own_person_page_links_to_own_phones(as_user, world):
    url = reverse("directory:person", args=[world.people["employee"].pk])
    assert _url("mine") in as_user("employee").get(url).content.decode()
    assert _url("mine") not in as_user("colleague").get(url).content.decode().split("<main")[1]


@pytest.mark.parametrize("count", [1, 3])
def test_dev_4_change_request_queue_loads_devices_in_fixed_queries(
    world, items, desk, tsam, matrix_client, django_assert_num_queries, count
):
    """Device change requests in Tele kundtjänst's queue: no query per device."""
    for n in range(count):
        phone = services.device_create(
            actor=desk,
            model=items["phone"],
            imei=(IMEI, IMEI_2, "353918057189991")[n],
            serial_number=f"SN-Q{n}",
            holder=world.people["employee"],
            unit=world.grupp,
            cost_centre=world.cost_centre,
        )
        other = CostCentreFactory(code=f"43{n}0", unit=world.grupp, budget_manager=tsam)
        services.device_cost_centre_request(actor=tsam.user, device=phone, cost_centre=other)
    client = matrix_client("telekundtjanst")
    client.get(reverse("subscriptions:change_request_list"))  # content types cached
    with django_assert_num_queries(10):
        response = client.get(reverse("subscriptions:change_request_list"))
    assert len(response.context["requests"]) == count
    assert "SN-Q0" in response.content.decode() or IMEI in response.content.decode()
