"""DIR-4 end to end in a real Chromium: an employee reports a new title on Mina uppgifter,
Tele kundtjänst applies it in the queue, and telesök shows the new title.

Button and label texts come from the catalogue (gettext under "sv"), so the test reads the
page as a Swedish user does and does not break when translations are added."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from common.roles import Role
from organisation.models import Person
from subscriptions.choices import RequestStatus
from subscriptions.models import ChangeRequest
from tests.factories import UnitFactory, person_with_user


def sv(msgid):
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def people(transactional_db):
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Söder", parent=vof)
    ksf = UnitFactory(name="Kommunstyrelseförvaltningen")
    desk_unit = UnitFactory(name="Tele kundtjänst", parent=ksf)
    employee = person_with_user(
        unit=unit,
        username="greta",
        first_name="Greta",
        last_name="Älvström",
        title="Undersköterska",
    )
    desk = person_with_user(
        unit=desk_unit, roles=[Role.TELEKUNDTJANST], username="tele", title="Teletekniker"
    )
    return employee, desk


def sign_in(page, base, path, username):
    page.goto(f"{base}{path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{path}")


def test_dir_4_title_change_from_request_to_telesok(live_server, browser_page, people):
    employee, _desk = people
    page, base = browser_page, live_server.url

    # The employee reports a new title.
    sign_in(page, base, "/mina-uppgifter/", "greta")
    title = page.get_by_label(sv("Title"))
    assert title.input_value() == "Undersköterska"
    title.fill("Sjuksköterska")
    page.get_by_role("button", name=sv("Send to Tele kundtjänst")).click()
    page.wait_for_url(f"{base}/mina-uppgifter/")
    request = ChangeRequest.objects.get()
    sent = sv(
        "Your change was sent to Tele kundtjänst as request #%(pk)s. Your entry changes "
        "when the request is applied."
    )
    assert page.locator(".messages .message").inner_text() == sent % {"pk": request.pk}
    assert page.get_by_text(sv("Waiting for Tele kundtjänst")).first.is_visible()
    # Nothing has changed yet.
    assert Person.objects.get(pk=employee.pk).title == "Undersköterska"
    page.get_by_role("button", name=sv("Sign out")).click()
    page.wait_for_url(f"{base}/accounts/login/")

    # Tele kundtjänst applies it from the queue.
    sign_in(page, base, "/andringar/", "tele")
    item = page.locator(f"#request-{request.pk}").locator("xpath=..")
    assert "Sjuksköterska" in item.get_by_role("table").inner_text()
    item.get_by_role("button", name=sv("Apply")).click()
    page.wait_for_url(f"{base}/andringar/")
    assert page.locator(".messages .message").inner_text() == sv("Request #%(pk)s was applied.") % {
        "pk": request.pk
    }
    request.refresh_from_db()
    assert request.status == RequestStatus.APPLIED
    assert Person.objects.get(pk=employee.pk).title == "Sjuksköterska"

    # Telesök shows the new title.
    page.goto(f"{base}/telesok/?q=Älvström")
    main = page.locator("main")
    assert "Greta Älvström" in main.inner_text() or "Älvström, Greta" in main.inner_text()
    assert "Sjuksköterska" in main.inner_text()
    assert "Undersköterska" not in main.inner_text()
    assert page.console_errors == []
