"""X-3 and X-2 end to end in a real Chromium: Tele kundtjänst marks a person as left from
the person page, then finds the leaver's phone on the compliance dashboard, drilling down
from the förvaltning to the unit and the requirement."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from common.roles import Role
from compliance.rules import RULES
from organisation.models import Person
from subscriptions import services as subscription_services
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.factories import CostCentreFactory, PersonFactory, UnitFactory, person_with_user


def sv(msgid):
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def leaver(transactional_db):
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Söder", parent=vof)
    ksf = UnitFactory(name="Kommunstyrelseförvaltningen")
    person_with_user(
        unit=UnitFactory(name="Tele kundtjänst", parent=ksf),
        roles=[Role.TELEKUNDTJANST],
        username="tele",
        title="Teletekniker",
    )
    chef = PersonFactory(unit=unit, first_name="Märta", last_name="Öberg", title="Enhetschef")
    greta = PersonFactory(unit=unit, first_name="Greta", last_name="Älvström", title="Usk")
    subscription_services.subscription_create(
        actor=None,
        kind=Kind.FIXED,
        number="+4619213000",
        extension="3000",
        holder=greta,
        unit=unit,
        cost_centre=CostCentreFactory(code="4200", unit=unit, budget_manager=chef),
    )
    return {"greta": greta, "unit": unit, "vof": vof}


def test_x_3_desk_marks_a_leaver_and_finds_the_phone_on_the_dashboard(
    live_server, browser_page, leaver
):
    page, base = browser_page, live_server.url
    greta = leaver["greta"]
    page.goto(f"{base}{greta.get_absolute_url()}")
    page.get_by_label("Användarnamn").fill("tele")
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{greta.get_absolute_url()}")

    page.get_by_role("link", name=sv("Mark as left")).click()
    page.get_by_label(sv("Why (optional)")).fill("Anställningen upphörde")
    page.get_by_role("button", name=sv("Mark as left")).click()
    page.wait_for_url(f"{base}{greta.get_absolute_url()}")
    page.get_by_text("Greta Älvström är markerad som avgången.", exact=False).wait_for()
    assert Person.objects.get(pk=greta.pk).is_active is False

    page.get_by_role("link", name=sv("Compliance"), exact=True).click()
    page.wait_for_url(f"{base}/efterlevnad/")
    page.get_by_role("link", name="Vård- och omsorgsförvaltningen").click()
    page.get_by_role("link", name="Hemtjänst Söder").click()
    page.wait_for_url(f"{base}/efterlevnad/enhet/{leaver['unit'].pk}/")
    assert page.get_by_text("Uppsägning av abonnemang").count() == 1
    # The requirement by its title; the id only in Tele kundtjänst's small print (19.6).
    with translation.override("sv"):
        x_3 = str(RULES["X-3"].title)
    page.get_by_role("link", name=x_3).click()
    page.wait_for_url(f"{base}/efterlevnad/enhet/{leaver['unit'].pk}/krav/X-3/")
    # The flagged phone links to its own page, where "Säg upp" and "Lämna över" are (17.5).
    link = page.get_by_role("link", name="019-21 30 00 Greta Älvström")
    phone = Subscription.objects.get(holder=greta)
    page_of_phone = reverse("subscriptions:subscription_detail", args=[phone.pk])
    assert link.get_attribute("href") == page_of_phone
    assert page.get_by_text("Märta Öberg").count() == 1
    assert page.console_errors == []
