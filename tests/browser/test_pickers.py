"""Issue 19.3 and 19.4 in a real Chromium: a picker used by keyboard alone, telesök
following the box as one types, and Kundtjänst's view of a hit with "Ta meddelande".

The clock stands at Tuesday 1 December 2026, 11:30 (see test_service.py's `people`): Greta
is at a meeting until 15:00, calls go to Kundtjänst."""

import re

from service.models import Callback
from tests.browser.test_service import people, sign_in, sv  # noqa: F401  (the fixture)


def _fill_message(page):
    page.get_by_label(sv("Caller's name")).fill("Karin Medborgare")
    page.get_by_label(sv("Caller's phone number")).fill("070-123 45 67")
    page.get_by_role("textbox", name=sv("Message")).fill("Undrar över beslutet.")
    page.get_by_label(sv("E-mail (sent by Telefoni)")).check()


def test_picker_by_keyboard_alone(live_server, browser_page, people):  # noqa: F811
    greta, kundtjanst = people
    page, base = browser_page, live_server.url
    sign_in(page, base, "/medborgarservice/aterringningar/ny/", "kundtjanst")
    box = page.get_by_role("combobox", name=sv("For whom"))
    assert box.get_attribute("aria-expanded") == "false"
    # The no-JS search button and <select> are hidden by the script.
    assert not page.get_by_role("button", name=sv("Search")).first.is_visible()
    box.focus()
    page.keyboard.type("älvs")
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    option = listbox.get_by_role("option")
    assert option.count() == 1
    assert "Biståndshandläggare · Hemtjänst Söder · ankn. 1100" in option.inner_text()
    page.wait_for_function(
        "() => document.querySelector('.picker-status').textContent === '1 träff'"
    )
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    assert box.input_value() == "Älvström, Greta"
    assert box.get_attribute("aria-expanded") == "false"
    # The rest from the keyboard too: Tab on to the caller's name, then the form.
    page.keyboard.press("Tab")
    _fill_message(page)
    page.get_by_role("textbox", name=sv("Caller's name")).press("Enter")
    page.wait_for_url(f"{base}/medborgarservice/aterringningar/ny/")
    callback = Callback.objects.get()
    assert (callback.recipient, callback.recorded_by) == (greta, kundtjanst.user)
    assert page.console_errors == []


def test_telesok_follows_the_box_as_one_types(live_server, browser_page, people):  # noqa: F811
    page, base = browser_page, live_server.url
    sign_in(page, base, "/telesok/", "kundtjanst")
    box = page.get_by_role("searchbox", name=sv("Search by name, title, unit, extension or number"))
    box.press_sequentially("älvstr", delay=30)  # no Enter, no button
    table = page.locator("#telesok-results table.hits")
    table.wait_for()
    assert "Älvström" in table.inner_text()
    assert "Möte" in table.inner_text()  # the current hänvisning
    page.wait_for_url(re.compile(r"/telesok/\?q=%C3%A4lvstr$"))
    assert page.locator("#telesok-status").text_content() == "1 träff"
    box.fill("")
    box.press_sequentially("ek", delay=30)
    page.wait_for_url(re.compile(r"/telesok/\?q=ek$"))
    page.wait_for_function(
        "() => !document.querySelector('#telesok-results').textContent.includes('Älvström')"
    )
    assert "Ek" in page.locator("#telesok-results").inner_text()
    assert page.console_errors == []


def test_kundtjanst_view_of_a_hit_and_take_a_message(
    live_server,
    browser_page,
    people,  # noqa: F811
):
    greta, kundtjanst = people
    greta.unit.phone_hours = "Mån–fre 8–10"
    greta.unit.save()
    page, base = browser_page, live_server.url
    sign_in(page, base, "/telesok/?q=greta", "kundtjanst")
    page.get_by_role("link", name="Ta samtalet för Greta Älvström").click()
    page.wait_for_url(f"{base}/medborgarservice/samtal/{greta.pk}/")
    facts = page.locator("dl.facts").inner_text()
    assert "Möte" in facts and "Kundtjänst" in facts  # where calls go now
    assert "Mån–fre 8–10" in facts
    assert "onsdag 2 december" in facts  # the next working day
    page.get_by_role("link", name=sv("Take a message")).click()
    page.wait_for_url(f"{base}/medborgarservice/aterringningar/ny/?for={greta.pk}")
    assert page.get_by_role("combobox", name=sv("For whom")).input_value() == "Älvström, Greta"
    _fill_message(page)
    page.get_by_role("button", name=sv("Save the message")).click()
    page.wait_for_url(f"{base}/medborgarservice/aterringningar/ny/")
    assert Callback.objects.get().recipient == greta
    assert page.console_errors == []
