"""SRV-2 end to end in a real Chromium: Kundtjänst takes a message for Greta, who is at a
meeting, chosen from the keyboard; Greta sees it on her start page and marks it
"Kontaktad", and it is gone.

The clock stands at Tuesday 1 December 2026, 11:30 (absence.workdays.now is the one clock
the absence and service apps read), so the deadline is Thursday 3 December."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from absence import services as absence_services
from absence.choices import Reason, Target
from common.roles import Role
from service.choices import CallbackStatus
from service.models import Callback
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.factories import CostCentreFactory, UnitFactory, person_with_user

NOW = datetime(2026, 12, 1, 11, 30, tzinfo=ZoneInfo("Europe/Stockholm"))


def sv(msgid):
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def people(transactional_db, monkeypatch):
    monkeypatch.setattr("absence.workdays.now", lambda: NOW)
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Söder", parent=vof)
    ksf = UnitFactory(name="Kommunstyrelseförvaltningen")
    greta = person_with_user(
        unit=unit,
        username="greta",
        first_name="Greta",
        last_name="Älvström",
        title="Biståndshandläggare",
        email="greta@kommun.example",
    )
    person_with_user(unit=unit, username="bo", first_name="Bo", last_name="Ek", title="Kock")
    kundtjanst = person_with_user(
        unit=ksf,
        roles=[Role.KUNDTJANST],
        username="kundtjanst",
        first_name="Kim",
        last_name="Svar",
        title="Kundtjänstmedarbetare",
    )
    phone = Subscription.objects.create(
        kind=Kind.FIXED,
        number="+4619211000",
        extension="1100",
        holder=greta,
        unit=unit,
        cost_centre=CostCentreFactory(unit=unit),
    )
    absence_services.redirect_create(
        actor=greta.user,
        subscriptions=[phone],
        reason=Reason.MEETING,
        ends_at=datetime(2026, 12, 1, 15, 0, tzinfo=NOW.tzinfo),
        target=Target.KUNDTJANST,
    )
    return greta, kundtjanst


def sign_in(page, base, path, username):
    page.goto(f"{base}{path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{path}")


def test_srv_2_kundtjanst_takes_a_message_and_the_employee_closes_it(
    live_server, browser_page, people
):
    greta, kundtjanst = people
    page, base = browser_page, live_server.url

    sign_in(page, base, "/medborgarservice/aterringningar/ny/", "kundtjanst")
    # The recipient from the keyboard: the picker that searches (issue 19.3).
    picker = page.get_by_role("combobox", name=sv("For whom"))
    picker.press_sequentially("greta", delay=30)
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert picker.input_value() == "Älvström, Greta"
    page.get_by_label(sv("Caller's name")).fill("Karin Medborgare")
    page.get_by_label(sv("Caller's phone number")).fill("070-123 45 67")
    page.get_by_role("textbox", name=sv("Message")).fill("Undrar över beslutet om hemtjänst.")
    page.get_by_label(sv("E-mail (sent by Telefoni)")).check()
    page.get_by_role("button", name=sv("Save the message")).click()
    page.wait_for_url(f"{base}/medborgarservice/aterringningar/ny/")
    assert "torsdag 3 december" in page.get_by_role("status").first.inner_text()
    callback = Callback.objects.get()
    assert (callback.recipient, callback.recorded_by) == (greta, kundtjanst.user)
    assert [m.to for m in mail.outbox] == [["greta@kommun.example"]]
    page.get_by_role("button", name=sv("Sign out")).click()
    page.wait_for_url(f"{base}/accounts/login/")

    sign_in(page, base, "/", "greta")
    waiting = page.get_by_role("region", name=sv("Callers waiting for you"))
    assert "Karin Medborgare" in waiting.inner_text()
    assert "torsdag 3 december" in waiting.inner_text()
    waiting.get_by_role("button", name="Kontaktad: Karin Medborgare").click()
    page.wait_for_url(f"{base}/")
    assert (
        "Markerat som kontaktad: Karin Medborgare." in page.get_by_role("status").first.inner_text()
    )
    assert page.get_by_role("region", name=sv("Callers waiting for you")).count() == 0
    callback.refresh_from_db()
    assert (callback.status, callback.done_by) == (CallbackStatus.DONE, greta.user)
    assert page.console_errors == []
