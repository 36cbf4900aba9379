"""A real Chromium signs in through the login page and reaches the start page."""

import pytest

from common.roles import Role
from tests.factories import UnitFactory, person_with_user


@pytest.fixture
def manager(transactional_db):
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Söder", parent=vof)
    person = person_with_user(
        unit=unit,
        roles=[Role.ENHETSCHEF],
        username="karin",
        first_name="Karin",
        last_name="Åberg",
        title="Enhetschef",
    )
    unit.manager = person
    unit.save()
    return person


def test_sign_in_with_keyboard_and_reach_the_start_page(live_server, browser_page, manager):
    page = browser_page
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "sv"

    # The username field has focus: type, Tab to the password, Enter signs in.
    page.keyboard.type("karin")
    page.keyboard.press("Tab")
    page.keyboard.type("secret-pass-123")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    # On the start page the first Tab stop is the skip link, and it leads to <main>.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    assert page.get_by_role("heading", level=1).inner_text() == "Välkommen, Karin"
    nav = page.get_by_role("navigation", name="Huvudmeny")
    assert nav.get_by_role("link", name="Organisation").is_visible()
    assert page.console_errors == []


def test_wrong_password_shows_a_swedish_error(live_server, browser_page, manager):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Användarnamn").fill("karin")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    alert = page.get_by_role("alert")
    assert "Fel användarnamn eller lösenord" in alert.inner_text()
