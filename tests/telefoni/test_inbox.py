"""Issue 19.1: the start page is an inbox of everything that waits for the person, by
role, with count, age and a direct link, the oldest first; the navigation shows the
count on every page in a fixed number of queries; an empty inbox says what to do next."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from common.roles import roles_of
from compliance.models import Flag
from costs.models import StatementRequest, UsageRecord
from devices.choices import MobileReason, OrderKind, OrderStatus
from devices.models import Order
from organisation.models import Person
from subscriptions.choices import Kind, RequestKind
from subscriptions.models import ChangeRequest
from telefoni.inbox import inbox_count
from tests.conftest import EVERYONE, phone
from tests.factories import person_with_user


def ago(days):
    return timezone.now() - timedelta(days=days)


def change_request(world, kind, days):
    return ChangeRequest.objects.create(
        kind=kind,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=world.people["employee"].pk,
        changes={},
        forvaltning=world.vof,
        requested_by=world.people["employee"].user,
        requested_at=ago(days),
    )


def statement(world, days, number="+4619211001"):
    return StatementRequest.objects.create(
        subscription=phone(
            world, number=number, extension=number[-4:], holder=world.people["colleague"]
        ),
        cost_centre=world.cost_centre,
        period=date(2026, 10, 1),
        grounds="Misstänkt missbruk",
        requested_by=world.people["budgetchef"].user,
        requested_at=ago(days),
    )


def order(world, *, unit=None, holder=None, status=OrderStatus.AWAITING_APPROVAL, days=1, **kw):
    unit = unit or world.grupp
    made = Order(
        kind=OrderKind.SUBSCRIPTION,
        forvaltning_id=unit.forvaltning_id,
        unit=unit,
        cost_centre=world.cost_centre,
        subscription_kind=Kind.MOBILE,
        holder=holder if holder is not None else world.people["employee"],
        reason=MobileReason.REACHABLE,
        status=status,
        ordered_by=world.people["telesamordnare_other"].user,
        created_at=ago(days),
        **kw,
    )
    made._history_user = made.ordered_by  # the history row says who, as a service's would
    made.save()
    return made


def inbox_of(client):
    return {item.key: item for item in client.get("/").context["inbox"]}


def header(body):
    return body.split("</header>")[0]


# --- Per role ---------------------------------------------------------------------------


def test_tele_kundtjanst_sees_change_requests_by_kind_statements_and_blocks(matrix_client, world):
    change_request(world, RequestKind.ENTRY, 3)
    change_request(world, RequestKind.ENTRY, 1)
    change_request(world, RequestKind.BLOCK, 2)
    only = statement(world, 5)
    client = matrix_client("telekundtjanst")
    response = client.get("/")
    items = response.context["inbox"]
    # The oldest first: the statement (5 days), the entries (3), the block (2).
    assert [(i.key, i.count) for i in items] == [
        ("costs.statements", 1),
        ("subscriptions.change_requests.entry", 2),
        ("subscriptions.change_requests.block", 1),
    ]
    # One statement links to its own page; the change requests to the queue of their kind.
    assert items[0].url == reverse("costs:statement_detail", args=[only.pk])
    assert items[1].url == "/andringar/?kind=entry"
    body = response.content.decode()
    assert "Ändringar av katalogposter att genomföra" in body
    assert "Operatörsspärrar att bekräfta (förlust eller stöld)" in body
    assert "det äldsta har väntat 3\xa0dagar" in body
    # The navigation: "Start (4)", read as "4 saker väntar".
    assert "(4)</span>" in header(body)
    assert "4 saker väntar" in header(body)
    # The queue of one kind shows that kind only.
    queue = client.get("/andringar/?kind=block")
    assert [r.kind for r in queue.context["requests"]] == [RequestKind.BLOCK]


def test_others_do_not_see_the_desk_s_queue(matrix_client, world):
    change_request(world, RequestKind.ENTRY, 1)
    statement(world, 1)
    for who in ("employee", "manager", "budgetchef", "admin", "kundtjanst"):
        keys = inbox_of(matrix_client(who))
        assert not any(k.startswith(("subscriptions.", "costs.statements")) for k in keys), who


def test_enhetschef_sees_the_orders_of_their_units_only(matrix_client, world):
    mine = order(world, days=2)
    order(world, unit=world.bibliotek, holder=world.people["outsider"])  # another förvaltning
    client = matrix_client("manager")
    item = inbox_of(client)["devices.orders.to_approve"]
    assert (item.count, item.url) == (1, reverse("devices:order_detail", args=[mine.pk]))
    # The link leads to the page where the manager approves.
    page = client.get(item.url).content.decode()
    assert reverse("devices:order_approve", args=[mine.pk]) in page
    # Two: the list of the orders awaiting approval, which shows the manager's only.
    second = order(world, days=1)
    item = inbox_of(client)["devices.orders.to_approve"]
    assert (item.count, item.url) == (2, "/utrustning/bestallningar/?status=awaiting")
    listed = client.get(item.url).context["orders"]
    assert {o.pk for o in listed} == {mine.pk, second.pk}
    for who in ("employee", "outsider", "forvaltningschef", "telekundtjanst", "ksordforande"):
        assert "devices.orders.to_approve" not in inbox_of(matrix_client(who)), who


def test_ks_ordforande_sees_elected_officials_orders_only(matrix_client, world):
    elected = person_with_user(unit=world.ksf, username="ledamot", kind="elected")
    theirs = order(world, unit=world.ksf, holder=elected)
    order(world)  # Anna's mobile: the enhetschef's
    items = inbox_of(matrix_client("ksordforande"))
    assert items["devices.orders.to_approve_elected"].count == 1
    assert items["devices.orders.to_approve_elected"].url.endswith(f"/{theirs.pk}/")
    assert "devices.orders.to_approve" not in items
    assert "devices.orders.to_approve" in inbox_of(matrix_client("manager"))
    assert "devices.orders.to_approve_elected" not in inbox_of(matrix_client("manager"))


def test_telesamordnare_sees_approved_orders_and_deliveries_of_their_forvaltning(
    matrix_client, world
):
    outsider = world.people["outsider"]
    outsider.protected_identity = True
    outsider.save()
    now = timezone.now()
    approved = order(
        world,
        unit=world.bibliotek,
        holder=outsider,
        status=OrderStatus.SENT,
        approved_at=now - timedelta(hours=3),
        sent_at=now - timedelta(hours=3),
    )
    order(
        world,
        unit=world.bibliotek,
        holder=outsider,
        status=OrderStatus.DELIVERED,
        delivered_at=now - timedelta(days=2),
    )
    order(
        world,
        unit=world.bibliotek,
        holder=outsider,
        status=OrderStatus.DELIVERED,
        delivered_at=now - timedelta(days=30),
    )  # long ago: no longer shown
    order(world, status=OrderStatus.SENT, approved_at=now, sent_at=now)  # Vård och omsorg's
    client = matrix_client("telesamordnare_other")
    response = client.get("/")
    items = {i.key: i for i in response.context["inbox"]}
    assert items["devices.orders.approved"].count == 1
    assert items["devices.orders.approved"].url == approved.get_absolute_url()
    assert items["devices.orders.delivered"].count == 1
    assert list(response.context["inbox"])[0].key == "devices.orders.delivered"  # oldest
    # The inbox names no one: the protected holder's name is not on the page.
    assert outsider.last_name not in response.content.decode().split("</header>")[1]
    # Tele kundtjänst delivers what was sent: both förvaltningar's.
    assert inbox_of(matrix_client("telekundtjanst"))["devices.orders.to_deliver"].count == 2


def test_budget_manager_sees_cost_deviations_apart_from_other_flags(matrix_client, world):
    record = UsageRecord.objects.create(
        subscription=phone(
            world, number="+4619211002", extension="1002", holder=world.people["employee"]
        ),
        cost_centre=world.cost_centre,
        period=date(2026, 10, 1),
        month=2026 * 12 + 10,
        total=900,
    )
    Flag.objects.create(
        rule="COST-2",
        content_object=record,
        unit=world.hemtjanst,
        responsible=world.people["budgetchef"],
    )
    client = matrix_client("budgetchef")
    response = client.get("/")
    item = {i.key: i for i in response.context["inbox"]}["compliance.flags.cost_2"]
    assert (item.label, item.count, item.url) == (
        "Kostnadsavvikelser att förklara",
        1,
        "/#flags-heading",
    )
    body = response.content.decode()
    assert 'id="flags-heading"' in body and record.get_absolute_url() in body
    assert "compliance.flags.cost_2" not in inbox_of(matrix_client("manager"))


def test_callbacks_and_voicemail_wait_for_the_employee(matrix_client, world, clock, desk):
    from service import services as service_services
    from service.choices import Channel
    from voicemail.choices import BoxKind
    from voicemail.models import VoicemailBox

    callback = service_services.callback_create(
        actor=world.people["kundtjanst"].user,
        recipient=world.people["employee"],
        caller_name="Karin Medborgare",
        caller_phone="070-123 45 67",
        message="Ring mig",
        channel=Channel.SMS,
        passed_on_by_hand=True,
    )
    mobile = phone(world, number="+46701112233", holder=world.people["employee"], kind=Kind.MOBILE)
    VoicemailBox.objects.create(
        subscription=mobile,
        kind=BoxKind.ROSTBREVLADA,
        approved_by=desk,
        is_on=True,
        switched_on_at=ago(2),
        greeting_text="Du har kommit till Anna.",
        greeting_confirmed_at=ago(2),
        greeting_confirmed_by=world.people["telekundtjanst"],
    )
    items = inbox_of(matrix_client("employee"))
    assert items["service.callbacks"].url == callback.get_absolute_url()
    assert items["voicemail.to_listen"].url == "/#voicemail-heading"
    assert "service.callbacks" not in inbox_of(matrix_client("colleague"))


# --- The navigation's count -------------------------------------------------------------


def test_navigation_count_is_on_every_page_and_absent_when_nothing_waits(matrix_client, world):
    change_request(world, RequestKind.SUBSCRIPTION, 1)
    desk = matrix_client("telekundtjanst")
    body = desk.get("/telesok/").content.decode()
    assert "(1)</span>" in header(body) and "1 sak väntar" in header(body)
    body = matrix_client("employee").get("/telesok/").content.decode()
    assert "nav-count" not in header(body)


@pytest.mark.parametrize("size", [1, 3])
def test_inbox_and_navigation_cost_one_query_whatever_the_size(
    matrix_client, world, django_assert_num_queries, size
):
    for i in range(size):
        change_request(world, RequestKind.ENTRY, i + 1)
        change_request(world, RequestKind.BLOCK, i + 1)
        statement(world, i + 1, number=f"+461921120{i}")
        order(world, status=OrderStatus.SENT, sent_at=ago(i))
    user = world.people["telekundtjanst"].user
    roles_of(user), user.person  # what the request has loaded before the navigation
    request = type("Request", (), {"user": user})()
    with django_assert_num_queries(1):
        assert inbox_count(request) == 4 * size


@pytest.mark.parametrize("size", [1, 3])
def test_start_page_query_count_is_the_same_at_two_sizes(
    matrix_client, world, django_assert_num_queries, size
):
    elected = person_with_user(unit=world.ksf, username="ledamot", kind="elected")
    for i in range(size):
        order(world, days=i + 1)
        order(world, unit=world.ksf, holder=elected)
    client = matrix_client("manager")
    client.get("/")  # warm the per-process caches (ContentType), which test order decides
    # The same number at both sizes: the inbox is one query, and the navigation's count
    # reuses it.
    with django_assert_num_queries(14):
        response = client.get("/")
    assert {i.key: i.count for i in response.context["inbox"]} == {
        "devices.orders.to_approve": size
    }


# --- The empty inbox --------------------------------------------------------------------

EMPTY = {
    "employee": ("Inget väntar på dig just nu.", "/telesok/"),
    "telekundtjanst": ("Tele kundtjänst: inga ändringar", "/andringar/?status=all"),
    "manager": ("Enhetschef: inga beställningar väntar på ditt godkännande", "/oversyn/"),
    "telesamordnare_other": (
        "Telesamordnare: inga beställningar väntar",
        "/utrustning/bestallningar/ny/",
    ),
    "budgetchef": ("Budgetansvarig chef: inga uppsägningar", "/kostnadsstallen/utdrag/ny/"),
    "kundtjanst": ("Kundtjänst: du kan", "/medborgarservice/aterringningar/ny/"),
    "ksordforande": ("KS ordförande: inga beställningar", "/utrustning/bestallningar/"),
    "admin": ("Systemadministratör: du kan", "/admin/"),
}


@pytest.mark.parametrize("who", EMPTY)
def test_an_empty_inbox_says_what_the_person_can_do_next(matrix_client, world, who):
    text, link = EMPTY[who]
    body = matrix_client(who).get("/").content.decode().split("</header>")[1]
    assert text in body
    assert f'href="{link}"' in body
    assert "Inget att göra just nu" not in body
    if who != "telekundtjanst":
        assert "Tele kundtjänst: inga ändringar" not in body


@pytest.mark.parametrize("who, status", EVERYONE.items())
def test_start_page_inbox_for_every_role(matrix_client, world, who, status):
    order(world)
    response = matrix_client(who).get("/")
    assert response.status_code == status
    if status == 200:
        keys = [i.key for i in response.context["inbox"]]
        assert ("devices.orders.to_approve" in keys) == (who == "manager")


def test_order_list_filters_by_status(matrix_client, world):
    awaiting = order(world)
    order(world, status=OrderStatus.DRAFT)
    client = matrix_client("telekundtjanst")
    listed = client.get("/utrustning/bestallningar/?status=awaiting").context["orders"]
    assert [o.pk for o in listed] == [awaiting.pk]
    assert len(client.get("/utrustning/bestallningar/?status=nonsense").context["orders"]) == 2
