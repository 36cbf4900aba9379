"""VM-4 end to end in a real Chromium: Greta's röstbrevlåda was not listened to
yesterday, so the morning sweep flagged it; on the start page she marks it listened in
one click, and the flag is gone from her start page at once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext

from common.roles import Role
from compliance.models import Flag
from compliance.rules import RULES
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.factories import CostCentreFactory, UnitFactory, person_with_user
from voicemail import services
from voicemail.choices import BoxKind, Source
from voicemail.models import Listening

NOW = datetime(2026, 12, 1, 8, 15, tzinfo=ZoneInfo("Europe/Stockholm"))


def sv(msgid):
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def greta_box(transactional_db, monkeypatch):
    monkeypatch.setattr("absence.workdays.now", lambda: NOW)
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Söder", parent=vof)
    chef = person_with_user(unit=unit, roles=[Role.ENHETSCHEF], title="Enhetschef")
    unit.manager = chef
    unit.save()
    greta = person_with_user(
        unit=unit, username="greta", first_name="Greta", last_name="Älvström", title="Kock"
    )
    phone = Subscription.objects.create(
        kind=Kind.FIXED,
        number="+4619211000",
        extension="1100",
        holder=greta,
        unit=unit,
        cost_centre=CostCentreFactory(unit=unit),
    )
    box = services.box_approve(actor=chef.user, subscription=phone, kind=BoxKind.ROSTBREVLADA)
    services.box_confirm_greeting(actor=greta.user, box=box, text="")
    box = services.box_switch(actor=greta.user, box=box, on=True)
    box.switched_on_at = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    box.save()
    services.sweep_voicemail()
    return greta, box


def test_vm_4_mark_listened_from_the_start_page(live_server, browser_page, greta_box):
    greta, box = greta_box
    page, base = browser_page, live_server.url
    assert Flag.objects.filter(rule="VM-4", resolved_at__isnull=True).count() == 1

    page.goto(f"{base}/")
    page.get_by_label("Användarnamn").fill("greta")
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")
    section = page.get_by_role("region", name=sv("Voicemail to listen to today"))
    with translation.override("sv"):
        vm_4 = str(RULES["VM-4"].title)  # the requirement in words (19.6)
    flags = page.get_by_role("table", name=sv("Open flags where you are responsible"))
    assert vm_4 in flags.inner_text()
    assert sv("Never") in section.inner_text()

    section.get_by_role("button", name=f"Avlyssnad: {box}").click()
    page.wait_for_url(f"{base}/")
    listening = Listening.objects.get()
    assert (listening.by, listening.source) == (greta, Source.START_PAGE)
    assert (
        "I dag 08:15"
        in page.get_by_role("region", name=sv("Voicemail to listen to today")).inner_text()
    )
    assert Flag.objects.filter(rule="VM-4", resolved_at__isnull=True).count() == 0
    assert page.get_by_text(vm_4).count() == 0
    assert page.console_errors == []
