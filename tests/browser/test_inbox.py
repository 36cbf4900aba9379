"""Issue 19.1 in a real Chromium: the enhetschef, the telesamordnare and Tele kundtjänst
each sign in, find what waits for them in the start page's inbox (with the count in the
navigation) and follow its link to the page where they act."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext

from common.roles import Role
from devices import services
from devices.choices import ItemKind, MobileReason, OrderKind
from devices.models import CatalogueItem
from organisation.models import CostCentre, Person
from subscriptions.choices import Kind, RequestKind
from subscriptions.models import ChangeRequest
from tests.factories import UnitFactory, person_with_user


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
        unit=unit, roles=[Role.ENHETSCHEF], username="chef", title="Enhetschef"
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
    item = CatalogueItem.objects.create(
        name="Mobil Standard", kind=ItemKind.PHONE, price=Decimal("2490")
    )
    order = services.order_create(
        actor=tsam.user,
        unit=unit,
        cost_centre=cost_centre,
        kind=OrderKind.SUBSCRIPTION,
        subscription_kind=Kind.MOBILE,
        holder=employee,
        reason=MobileReason.REACHABLE,
        item=item,
        send=True,
    )
    change = ChangeRequest(
        kind=RequestKind.ENTRY,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=employee.pk,
        changes={"title": {"old": "Undersköterska", "new": "Sjuksköterska"}},
        forvaltning=vof,
        requested_by=employee.user,
    )
    change._history_user = employee.user
    change.save()
    return order


def sign_in(page, base, username):
    page.goto(f"{base}/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")


def sign_out(page, base):
    page.get_by_role("button", name=sv("Sign out")).click()
    page.wait_for_url(f"{base}/accounts/login/")


def inbox(page):
    return page.get_by_role("region", name=sv("Inbox"))


def test_each_role_finds_its_work_on_the_start_page_and_follows_it(
    live_server, browser_page, setting
):
    order = setting
    page, base = browser_page, live_server.url
    order_url = f"{base}/utrustning/bestallningar/{order.pk}/"

    # The enhetschef: one order to approve, "Start (1)" in the navigation.
    sign_in(page, base, "chef")
    start = page.get_by_role("navigation").get_by_role("link", name="Start, 1 sak väntar")
    assert start.is_visible()
    label = sv("Orders to approve (MEX and mobile phones)")
    line = inbox(page).get_by_role("listitem").filter(has_text=label).inner_text()
    assert line.startswith(f"{label}: 1, ")
    inbox(page).get_by_role("link", name=label).click()
    page.wait_for_url(order_url)
    page.get_by_role("button", name=sv("Approve"), exact=True).click()
    page.wait_for_url(order_url)
    page.goto(f"{base}/")
    assert sv("Nothing waits for you right now.") in inbox(page).inner_text()
    sign_out(page, base)

    # The telesamordnare learns of the approval on the start page, not only by e-mail.
    sign_in(page, base, "tsam")
    inbox(page).get_by_role("link", name=sv("Approved orders, now with Tele kundtjänst")).click()
    page.wait_for_url(order_url)
    assert page.locator(".status").inner_text() == sv("Sent to Tele kundtjänst")
    sign_out(page, base)

    # Tele kundtjänst: the order to deliver and the change request, the oldest first.
    sign_in(page, base, "tele")
    texts = inbox(page).get_by_role("listitem").all_inner_texts()
    assert [t.split(":")[0] for t in texts] == [
        sv("Directory entry changes to apply"),
        sv("Orders to deliver"),
    ]
    assert page.get_by_role("navigation").get_by_role("link", name="Start, 2 saker väntar")
    inbox(page).get_by_role("link", name=sv("Orders to deliver")).click()
    page.wait_for_url(order_url)
    assert page.get_by_role("link", name=sv("Deliver"), exact=True).is_visible()
    page.goto(f"{base}/")
    inbox(page).get_by_role("link", name=sv("Directory entry changes to apply")).click()
    page.wait_for_url(f"{base}/andringar/?kind=entry")
    assert page.get_by_role("button", name=sv("Apply"), exact=True).is_visible()
    assert page.console_errors == []
