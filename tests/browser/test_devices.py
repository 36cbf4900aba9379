"""DEV-2, SUB-2, DEV-3 end to end in a real Chromium: the telesamordnare orders a mobile
phone and sends it in one step, the enhetschef's approval sends it on to Tele kundtjänst,
Tele kundtjänst delivers it with the number and IMEI, and the new phone is in the inventory.

Labels and buttons come from the catalogue (gettext under "sv"), as a Swedish user reads
them."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from common.roles import Role
from devices.choices import ItemKind, OrderStatus
from devices.models import CatalogueItem, Device, Order
from organisation.models import CostCentre
from tests.browser.conftest import pick
from tests.factories import UnitFactory, person_with_user

IMEI = "490154203237518"


def sv(msgid):
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def setting(transactional_db):
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Söder", parent=vof)
    ksf = UnitFactory(name="Kommunstyrelseförvaltningen")
    desk_unit = UnitFactory(name="Tele kundtjänst", parent=ksf)
    manager = person_with_user(
        unit=unit, roles=[Role.ENHETSCHEF, Role.BUDGETCHEF], username="chef", title="Enhetschef"
    )
    unit.manager = manager
    unit.save()
    tsam = person_with_user(
        unit=unit, roles=[Role.TELESAMORDNARE], username="tsam", title="Telesamordnare"
    )
    vof.telesamordnare.add(tsam)
    employee = person_with_user(
        unit=unit, username="greta", first_name="Greta", last_name="Älvström",
        title="Undersköterska",
    )  # fmt: skip
    person_with_user(
        unit=desk_unit, roles=[Role.TELEKUNDTJANST], username="tele", title="Teletekniker"
    )
    cost_centre = CostCentre.objects.create(
        code="4100", name="Hemtjänst Söder", unit=unit, budget_manager=manager
    )
    CatalogueItem.objects.create(name="Mobil Standard", kind=ItemKind.PHONE, price=Decimal("2490"))
    return vof, unit, employee, cost_centre


def sign_in(page, base, path, username):
    page.goto(f"{base}{path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{path}")


def sign_out(page, base):
    page.get_by_role("button", name=sv("Sign out")).click()
    page.wait_for_url(f"{base}/accounts/login/")


def click_and_wait(page, name, url):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_url(url)


def test_dev_2_order_from_draft_to_delivered_and_in_the_inventory(
    live_server, browser_page, setting
):
    vof, unit, employee, cost_centre = setting
    page, base = browser_page, live_server.url

    # The telesamordnare orders a mobile phone for Greta.
    sign_in(page, base, "/utrustning/bestallningar/ny/", "tsam")
    page.get_by_label(sv("What is ordered")).select_option(
        label=sv("New extension or subscription")
    )
    pick(page, sv("Unit"), "Hemtjänst Söder")
    page.get_by_label(sv("Cost centre")).select_option(label="4100 Hemtjänst Söder")
    page.get_by_label(sv("From the catalogue")).select_option(label="Mobil Standard")
    page.get_by_label(sv("Kind of subscription")).select_option(label=sv("Mobile phone"))
    pick(page, sv("For whom"), "Greta")
    page.get_by_label(sv("Reason for a MEX or mobile phone")).select_option(
        label=sv("Must be reachable at other places and times than normal")
    )
    # Issue 19.8: one button saves and sends it for approval.
    page.get_by_role("button", name=sv("Send"), exact=True).click()
    order = Order.objects.get()
    order_url = f"{base}/utrustning/bestallningar/{order.pk}/"
    page.wait_for_url(order_url)
    assert page.locator(".status").inner_text() == sv("Awaiting approval")
    sign_out(page, base)

    # The enhetschef approves (SUB-2), and the order goes on to Tele kundtjänst by itself.
    sign_in(page, base, f"/utrustning/bestallningar/{order.pk}/", "chef")
    click_and_wait(page, sv("Approve"), order_url)
    assert page.locator(".status").inner_text() == sv("Sent to Tele kundtjänst")
    sign_out(page, base)

    # Tele kundtjänst delivers it with the number and the phone's IMEI.
    sign_in(page, base, f"/utrustning/bestallningar/{order.pk}/", "tele")
    page.get_by_role("link", name=sv("Deliver"), exact=True).click()
    page.wait_for_url(f"{order_url}leverera/")
    page.get_by_role("textbox", name=sv("Number") + ":", exact=True).fill("070-111 22 33")
    page.get_by_label(sv("IMEI")).fill(IMEI)
    page.get_by_role("button", name=sv("Deliver"), exact=True).click()
    page.wait_for_url(order_url)
    assert page.locator(".status").inner_text() == sv("Delivered")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    device = Device.objects.get()
    assert (device.imei, device.holder, device.cost_centre) == (IMEI, employee, cost_centre)

    # The new phone is in the förvaltning's inventory.
    page.goto(f"{base}/utrustning/forvaltning/{vof.pk}/")
    row = page.get_by_role("row").filter(has_text=IMEI)
    assert "Mobil Standard" in row.inner_text()
    assert "Greta Älvström" in row.inner_text()
    assert "070-111 22 33" in row.inner_text()
    assert sv("In use") in row.inner_text()
    assert page.console_errors == []
