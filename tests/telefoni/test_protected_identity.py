"""ORG-4: a protected identity never shows outside its circle (issue 16.3, 16.4).

The circle is written once, in organisation.identity: the person, their managers
(enhetschef of their unit or above, the förvaltningschef) and Tele kundtjänst. The
systemadministratör is outside it. The test plants Sigrid Hemligsson, protected, with a
fixed phone, a mobile, a device, a SIM, costs, a hänvisning of a colleague pointing at her
mobile, an entry change and a barring request in the queue and her rows in the annual
review, then reads every page, export and API answer as every role."""

import json
import subprocess
from datetime import date, timedelta
from io import BytesIO

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from absence import workdays
from absence.choices import Reason, Target
from absence.models import Redirect
from common.roles import Role
from compliance.models import Flag
from compliance.services import notify_pending_flags
from costs import services as cost_services
from devices import services as device_services
from devices.choices import ItemKind, LossKind
from devices.models import CatalogueItem
from organisation.numbers import format_number
from review import services as review_services
from service import services as service_services
from service.choices import Channel
from subscriptions import services as subscription_services
from subscriptions.choices import Kind, RequestKind
from subscriptions.models import ChangeRequest
from tests.conftest import MATRIX
from tests.costs.conftest import usage
from tests.factories import person_with_user
from voicemail import services as voicemail_services
from voicemail.choices import BoxKind

FIXED, EXTENSION, MOBILE = "+4619219876", "9876", "+46738765432"
IMEI, ICCID = "490154203237518", "89460100001234567896"
CIRCLE = {"protected", "manager", "forvaltningschef", "telekundtjanst"}
ROLES = (*MATRIX[1:], "telesamordnare", "protected")
PERIOD = "2026-11"


def secrets():
    """Every way the name, numbers and extension could be written out."""
    words = {"Sigrid", "Hemligsson", EXTENSION}
    for number in (FIXED, MOBILE):
        words |= {number, format_number(number), "0" + number[3:], number[1:]}
    return words


@pytest.fixture
def planted(world, desk, clock, django_capture_on_commit_callbacks):
    """Sigrid and everything that names her; Anna's fixed phone redirects to her mobile."""
    sigrid = person_with_user(
        unit=world.grupp,
        username="sigrid",
        first_name="Sigrid",
        last_name="Hemligsson",
        title="Socialsekreterare",
        protected_identity=True,
    )
    tsam = person_with_user(unit=world.hemtjanst, roles=[Role.TELESAMORDNARE], username="tsam_vof")
    world.vof.telesamordnare.add(tsam)
    world.people |= {"telesamordnare": tsam, "protected": sigrid}

    def create(**fields):
        return subscription_services.subscription_create(
            actor=desk, unit=world.grupp, cost_centre=world.cost_centre, **fields
        )

    fixed = create(kind=Kind.FIXED, number=FIXED, extension=EXTENSION, holder=sigrid)
    mobile = create(kind=Kind.MOBILE, number=MOBILE, holder=sigrid)
    anna = create(
        kind=Kind.FIXED, number="+4619211000", extension="1000", holder=world.people["employee"]
    )
    model = CatalogueItem.objects.create(name="Mobil Standard", kind=ItemKind.PHONE, price=2490)
    device = device_services.device_create(
        actor=desk,
        model=model,
        imei=IMEI,
        serial_number="SN-1",
        holder=sigrid,
        unit=world.grupp,
        cost_centre=world.cost_centre,
        subscription=mobile,
    )
    sim = device_services.sim_create(
        actor=desk, iccid=ICCID, pin="1234", puk="12345678", subscription=mobile, device=device
    )
    for subscription in (fixed, mobile, anna):
        usage(subscription, PERIOD, roaming=500, private_share=40)
    # Planted directly, as one set before Sigrid's identity became protected would stand.
    Redirect.objects.create(
        subscription=anna,
        reason=Reason.MEETING,
        target=Target.MOBILE,
        target_subscription=mobile,
        starts_at=workdays.now() - timedelta(hours=1),
        ends_at=workdays.now() + timedelta(hours=3),
        set_by=world.people["employee"].user,
    )
    subscription_services.entry_change_request_create(
        actor=sigrid.user, person=sigrid, new_values={"title": "Handläggare"}
    )
    device_services.barring_change_request(
        actor=world.people["budgetchef"].user,
        subscription=mobile,
        values={"open_international": True},
        reason="Resa",
    )
    review_round = review_services.review_round_open(
        actor=desk, year=2026, deadline=date(2099, 3, 31)
    )
    # She reports her own phone damaged: a loss report and a status history row by her.
    loss = device_services.loss_report_create(
        actor=sigrid.user, device=device, kind=LossKind.DAMAGED, description="Spricka"
    )
    statement = cost_services.statement_request_create(
        actor=world.people["budgetchef"].user,
        subscription=mobile,
        period=date(2026, 11, 1),
        grounds="Misstänkt obehörig användning",
    )
    box = voicemail_services.box_approve(
        actor=world.people["manager"].user, subscription=fixed, kind=BoxKind.ROSTBREVLADA
    )
    callback = service_services.callback_create(
        actor=desk,
        recipient=sigrid,
        caller_name="Medborgare",
        message="Ring tillbaka",
        channel=Channel.SMS,
        caller_phone="0701112233",
        passed_on_by_hand=True,
    )
    threat = service_services.threat_report_create(
        actor=sigrid.user,
        reporter=sigrid,
        occurred_at=workdays.now() - timedelta(hours=1),
        what_was_said="Hot",
    )
    # Roaming without a registered trip (COST-5): flags on her months, e-mailed to the
    # budget manager, who is outside her circle.
    with django_capture_on_commit_callbacks(execute=True):
        cost_services.sweep_costs()
        notify_pending_flags()
    assert Flag.objects.filter(object_id=fixed.usage_records.get().pk).exists()
    return {
        "sigrid": sigrid,
        "fixed": fixed,
        "mobile": mobile,
        "anna": anna,
        "device": device,
        "sim": sim,
        "round": review_round,
        "statement": statement,
        "loss": loss,
        "box": box,
        "callback": callback,
        "threat": threat,
    }


def pages(world, planted):
    """Every page, export and API answer that could name a phone or a person."""
    vof, grupp, hemtjanst = world.vof.pk, world.grupp.pk, world.hemtjanst.pk
    centre = world.cost_centre.pk
    mobile, anna = planted["mobile"], planted["anna"]
    record = mobile.usage_records.get()
    review = planted["round"].unit_reviews.get(unit=world.hemtjanst)
    year = planted["round"].year
    urls = [
        reverse("start"),
        reverse("directory:search") + "?q=sigrid",
        reverse("directory:search") + "?q=987",
        reverse("directory:search") + "?q=Hemtj%C3%A4nst",
        reverse("directory:person", args=[world.people["employee"].pk]),
        reverse("directory:unit", args=[grupp]),
        reverse("directory:unit_export_csv", args=[grupp]),
        reverse("directory:unit_export_vcf", args=[grupp]),
        reverse("api:presence"),
        reverse("api:search") + "?q=sigrid",
        reverse("api:search") + "?q=987",
        reverse("api:person", args=[world.people["employee"].pk]),
        reverse("absence:mine"),
        reverse("devices:mine"),
        reverse("devices:inventory", args=[vof]),
        reverse("devices:inventory_export", args=[vof, "csv"]),
        reverse("devices:inventory_export", args=[vof, "xlsx"]),
        reverse("devices:inventory_export", args=[vof, "pdf"]),
        reverse("devices:labels", args=[vof]),
        reverse("devices:device_create", args=[vof]),
        reverse("devices:device_detail", args=[planted["device"].pk]),
        reverse("devices:barring", args=[mobile.pk]),
        reverse("devices:order_create"),
        reverse("costs:cost_centre_list"),
        reverse("costs:cost_centre_detail", args=[centre]),
        reverse("costs:cost_centre_costs", args=[centre]),
        reverse("costs:cost_centre_costs", args=[centre]) + "?format=csv",
        reverse("costs:cost_centre_costs", args=[centre]) + "?format=xlsx",
        reverse("costs:cost_centre_costs", args=[centre]) + "?format=pdf",
        reverse("costs:cost_overview"),
        reverse("costs:usage_record_detail", args=[record.pk]),
        reverse("costs:private_share_export"),
        reverse("costs:private_share_export") + "?format=csv",
        reverse("costs:private_share_export") + "?format=xlsx",
        reverse("costs:statement_create"),
        reverse("subscriptions:change_request_list"),
        reverse("subscriptions:my_entry"),
        reverse("review:index"),
        reverse("review:unit_review", args=[review.pk]),
        reverse("review:unit_review_pdf", args=[review.pk]),
        reverse("review:progress", args=[year]),
        reverse("review:progress_csv", args=[year]),
        reverse("review:progress_xlsx", args=[year]),
        reverse("compliance:index"),
        reverse("compliance:export", args=["csv"]),
        reverse("compliance:export", args=["xlsx"]),
        reverse("compliance:unit", args=[hemtjanst]),
        reverse("compliance:rule", args=["COST-5"]),
        reverse("compliance:unit_rule", args=[hemtjanst, "COST-5"]),
        reverse("compliance:unit_export", args=[hemtjanst, "csv"]),
        reverse("compliance:unit_export", args=[hemtjanst, "xlsx"]),
        reverse("organisation:unit_detail", args=[grupp]),
        reverse("organisation:unit_detail", args=[hemtjanst]),
        reverse("voicemail:unit", args=[hemtjanst]),
        reverse("service:callback_create"),
        reverse("service:callback_list"),
        reverse("service:callback_detail", args=[planted["callback"].pk]),
        reverse("service:threat_list"),
        reverse("service:threat_detail", args=[planted["threat"].pk]),
        reverse("service:threat_pdf", args=[planted["threat"].pk]),
        reverse("voicemail:detail", args=[planted["box"].pk]),
        reverse("voicemail:unit", args=[grupp]),
        reverse("costs:statement_list"),
        reverse("costs:statement_detail", args=[planted["statement"].pk]),
        reverse("costs:statement_access_log"),
        reverse("directory:person", args=[planted["sigrid"].pk]),
        reverse("subscriptions:entry_history", args=[planted["sigrid"].pk]),
        reverse("subscriptions:entry_edit", args=[planted["sigrid"].pk]),
        reverse("devices:device_edit", args=[planted["device"].pk]),
        reverse("devices:sim_pin", args=[planted["sim"].pk]),
        reverse("devices:loss_report_detail", args=[planted["loss"].pk]),
        reverse("devices:loss_report_pdf", args=[planted["loss"].pk]),
        reverse("admin:service_callback_changelist"),
        reverse("admin:voicemail_voicemailbox_changelist"),
        reverse("admin:costs_statementaccess_changelist"),
        reverse("admin:organisation_person_changelist"),
        reverse("admin:organisation_person_changelist") + "?q=sigrid",
        reverse("admin:subscriptions_subscription_changelist"),
        reverse("admin:subscriptions_changerequest_changelist"),
        reverse("admin:devices_device_changelist"),
        reverse("admin:devices_simcard_changelist"),
        reverse("admin:absence_redirect_changelist"),
        reverse("admin:costs_usagerecord_changelist"),
        reverse("admin:review_reviewitem_changelist"),
        reverse("admin:organisation_person_change", args=[planted["sigrid"].pk]),
        reverse("admin:subscriptions_subscription_change", args=[mobile.pk]),
        reverse("admin:devices_device_change", args=[planted["device"].pk]),
        reverse("admin:devices_simcard_change", args=[planted["sim"].pk]),
        reverse("admin:absence_redirect_change", args=[anna.redirects.get().pk]),
        reverse("admin:absence_redirect_history", args=[anna.redirects.get().pk]),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[planted["sigrid"].user.pk]),
        reverse("admin:organisation_person_history", args=[planted["sigrid"].pk]),
        reverse("admin:devices_pinview_changelist"),
        reverse("admin:costs_statementrequest_changelist"),
        reverse("admin:compliance_flag_changelist"),
    ]
    return urls


def text_of(response):
    """The readable text of an answer: HTML, JSON, CSV, vCard, XLSX cells or PDF text."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(BytesIO(body))
        return "\n".join(
            str(cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    if "pdf" in kind:
        return subprocess.run(
            ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
        ).stdout.decode()
    if "json" in kind:
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body.decode("utf-8-sig")


def leaks(text):
    return sorted(word for word in secrets() if word in text)


@pytest.mark.parametrize("who", ROLES)
def test_org_4_a_protected_identity_never_shows_outside_its_circle(client, world, planted, who):
    """Every page and export, as every role: outside the circle neither Sigrid's name nor
    her numbers nor her extension appear anywhere; inside it, where she is shown, she is."""
    client.force_login(world.people[who].user)
    read = {}
    for url in pages(world, planted):
        response = client.get(url)
        if response.status_code == 200:
            read[url] = leaks(text_of(response))
    found = {url: words for url, words in read.items() if words}
    if who in CIRCLE:
        assert found, "the circle sees her somewhere"
    else:
        assert found == {}
    # The pages where each role meets her phone were really read (not refused).
    must_read = {
        "telesamordnare": [reverse("devices:inventory_export", args=[world.vof.pk, "pdf"])],
        "budgetchef": [
            reverse("costs:cost_centre_costs", args=[world.cost_centre.pk]) + "?format=xlsx"
        ],
        "admin": [reverse("admin:organisation_person_changelist"), reverse("compliance:index")],
        "employee": [reverse("api:presence"), reverse("absence:mine")],
    }
    assert set(must_read.get(who, [])) <= set(read)
    assert len(read) > 10


def test_org_4_the_switchboard_feed_never_names_a_protected_target(world, planted):
    """A token of the switchboard (any user) reads the presence feed: the redirect of
    Anna's phone is there, its target is "en kollega", with no name and no number."""
    token = Token.objects.create(user=world.people["outsider"].user)
    from django.test import Client

    response = Client().get(reverse("api:presence"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    text = text_of(response)
    assert leaks(text) == []
    assert "1000" in text
    assert "en kollega" in text


def test_org_4_no_e_mail_names_her_to_someone_outside_the_circle(
    world, planted, desk, django_capture_on_commit_callbacks
):
    """The flag e-mails of her months went out, and Tele kundtjänst applied the budget
    manager's barring request on her mobile: what reached the budget manager says
    "Skyddad identitet", never her name or numbers."""
    from django.core import mail

    request = ChangeRequest.objects.get(kind=RequestKind.BARRING)
    with django_capture_on_commit_callbacks(execute=True):
        subscription_services.change_request_apply(actor=desk, request=request)
    assert any(world.people["budgetchef"].email in message.to for message in mail.outbox[-1:])

    # The service desk's mailbox is Tele kundtjänst's, inside every circle.
    circle = {world.people[who].email for who in CIRCLE} | {settings.TELEFONI_SERVICE_DESK_EMAIL}
    sent = [message for message in mail.outbox if set(message.to) - circle]
    assert sent, "the budget manager was told of the flags"
    for message in sent:
        assert leaks(message.subject + message.body) == [], message.to
    assert any("Skyddad identitet" in message.body for message in sent)


def test_org_4_the_telesamordnare_keeps_her_device_as_skyddad_identitet(client, world, planted):
    """The telesamordnare's inventory lists her phone as "Skyddad identitet" (no name, no
    number), and the telesamordnare can still change the device and its barring."""
    device, mobile = planted["device"], planted["mobile"]
    client.force_login(world.people["telesamordnare"].user)
    inventory = client.get(reverse("devices:inventory", args=[world.vof.pk])).content.decode()
    assert "Skyddad identitet" in inventory
    assert device.get_absolute_url() in inventory
    csv = text_of(client.get(reverse("devices:inventory_export", args=[world.vof.pk, "csv"])))
    assert "Skyddad identitet" in csv and IMEI in csv
    form = client.get(reverse("devices:device_edit", args=[device.pk])).content.decode()
    assert "Skyddad identitet" in form and leaks(form) == []
    data = {
        "model": device.model_id,
        "imei": IMEI,
        "serial_number": "SN-1",
        "theft_mark": "SM-777",
        "holder": device.holder_id,
        "unit": device.unit_id,
        "subscription": mobile.pk,
        "status": "in_use",
    }
    assert client.post(reverse("devices:device_edit", args=[device.pk]), data).status_code == 302
    device.refresh_from_db()
    assert device.theft_mark == "SM-777" and device.holder_id == planted["sigrid"].pk
    barring = reverse("devices:barring", args=[mobile.pk])
    response = client.post(barring, {"open_premium": "on", "reason": "Jour"})
    assert response.status_code == 302
    waiting = ChangeRequest.objects.filter(kind=RequestKind.BARRING, object_id=mobile.pk)
    assert sorted(request.requested_by.username for request in waiting) == ["budget", "tsam_vof"]


def test_org_4_the_budget_manager_explains_her_costs_without_her_name(client, world, planted):
    """COST-1/COST-2: the budget manager's cost page and CSV show her months as "Skyddad
    identitet", and the manager can still explain one."""
    client.force_login(world.people["budgetchef"].user)
    costs = reverse("costs:cost_centre_costs", args=[world.cost_centre.pk])
    page = client.get(costs).content.decode()
    assert page.count("Skyddad identitet") >= 2 and leaks(page) == []
    csv = text_of(client.get(costs + "?format=csv"))
    assert csv.count("Skyddad identitet") == 2 and "Anna" in csv
    record = planted["mobile"].usage_records.get()
    response = client.post(record.get_absolute_url(), {"reason": "Tjänsteresa"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.explanation == "Tjänsteresa"


def test_org_4_nobody_outside_her_circle_redirects_to_her(client, world, planted):
    """The README's choice: a hänvisning to a protected identity's phone is refused for
    anyone outside her circle (nothing saved); her manager, inside it, may set one."""
    from django.core.exceptions import ValidationError

    from absence import services as absence_services

    anna = world.people["employee"]
    planted["anna"].redirects.all().delete()
    client.force_login(anna.user)
    response = client.post(
        reverse("absence:create"),
        {
            "phones": [planted["anna"].pk],
            "kind": "hanvisning",
            "reason": "meeting",
            "ends_at": (workdays.now() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
            "target": "mobile",
            "target_number": "073-876 54 32",
        },
    )
    assert response.status_code == 200
    assert "Det numret kan inte väljas" in response.content.decode()
    assert not planted["anna"].redirects.exists()
    with pytest.raises(ValidationError):
        absence_services.redirect_create(
            actor=anna.user,
            subscriptions=[planted["anna"]],
            reason=Reason.MEETING,
            ends_at=workdays.now() + timedelta(hours=2),
            target=Target.MOBILE,
            target_subscription=planted["mobile"],
        )
    made = absence_services.redirect_create(
        actor=world.people["manager"].user,
        subscriptions=[planted["anna"]],
        reason=Reason.SICK,
        ends_at=workdays.now() + timedelta(hours=2),
        target=Target.MOBILE,
        target_subscription=planted["mobile"],
    )
    assert made[0].target_display == "en kollega"


@pytest.mark.parametrize(
    "who, status", [("admin", 404), ("telekundtjanst", 200), ("protected", 200)]
)
def test_org_4_dev_5_the_systemadministrator_reads_no_pin(client, world, planted, who, status):
    """DEV-5 / issue 16.4: the PIN/PUK page answers the holder and Tele kundtjänst only."""
    client.force_login(world.people[who].user)
    response = client.get(reverse("devices:sim_pin", args=[planted["sim"].pk]))
    assert response.status_code == status
    assert ("12345678" in response.content.decode()) == (status == 200)


def test_org_4_the_admin_lists_her_for_tele_kundtjanst_only(client, world, planted):
    """In the Django admin the systemadministratör (a superuser) does not find her; the
    Tele kundtjänst account, given the view permission, does."""
    from django.contrib.auth.models import Permission

    people = reverse("admin:organisation_person_changelist") + "?q=sigrid"
    client.force_login(world.people["admin"].user)
    assert "Hemligsson" not in client.get(people).content.decode()
    page = client.get(reverse("admin:organisation_person_change", args=[planted["sigrid"].pk]))
    assert page.status_code == 302  # the admin's answer to an object that does not exist
    statements = reverse("admin:costs_statementrequest_changelist")
    assert client.get(statements).status_code == 403  # COST-3: not the admin's to read
    desk = world.people["telekundtjanst"].user
    desk.is_staff = True
    desk.save()
    desk.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(desk)
    assert "Hemligsson" in client.get(people).content.decode()
