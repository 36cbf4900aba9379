"""ABS-1 end to end in a real Chromium: Anna sets "Lunch till 13:00" in one click on the
start page, and her colleague sees "Lunch, åter 13:00" in telesök.

The clock of the absence app stands at a Tuesday 11:30 (absence.workdays.now is the one
clock it reads), so the button says 13:00 whenever the test runs. Texts come from the
catalogue (gettext under "sv")."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext

from absence.choices import Reason
from absence.models import Redirect
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
    centre = CostCentreFactory(unit=unit)
    greta = person_with_user(
        unit=unit,
        username="greta",
        first_name="Greta",
        last_name="Älvström",
        title="Undersköterska",
    )
    bo = person_with_user(unit=unit, username="bo", first_name="Bo", last_name="Ek", title="Kock")
    Subscription.objects.create(
        kind=Kind.FIXED,
        number="+4619211000",
        extension="1100",
        holder=greta,
        unit=unit,
        cost_centre=centre,
    )
    return greta, bo


def sign_in(page, base, path, username):
    page.goto(f"{base}{path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{path}")


def test_abs_1_lunch_in_one_click_and_a_colleague_sees_it(live_server, browser_page, people):
    greta, _bo = people
    page, base = browser_page, live_server.url

    sign_in(page, base, "/", "greta")
    page.get_by_role("button", name="Lunch till 13:00").click()
    page.wait_for_url(f"{base}/")
    redirect = Redirect.objects.get()
    assert (redirect.subscription.holder, redirect.reason) == (greta, Reason.LUNCH)
    assert "Lunch, åter 13:00" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("button", name=sv("I am back")).is_visible()
    page.get_by_role("button", name=sv("Sign out")).click()
    page.wait_for_url(f"{base}/accounts/login/")

    sign_in(page, base, "/telesok/?q=alvstrom", "bo")
    row = page.get_by_role("row").filter(has_text="Greta Älvström")
    assert "Lunch, åter 13:00" in row.inner_text()
    assert page.console_errors == []
