"""COST-1, COST-2 end to end in a real Chromium with a real Celery worker: the budget
manager uploads the operator's file, watches the import finish, and sees the month that
deviates from its normal level flagged on the cost centre's page."""

import pytest
from django.db import connections
from django.utils import translation
from django.utils.translation import gettext

from compliance.models import Flag
from compliance.rules import RULES
from tests.browser.conftest import pick
from tests.costs.conftest import csv_file, phones, row, usage  # noqa: F401


def sv(msgid):
    with translation.override("sv"):
        return gettext(msgid)


def sign_in(page, base, path, username):
    page.goto(f"{base}{path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{path}")


@pytest.mark.usefixtures("redis_worker")
def test_a_budget_manager_uploads_watches_the_import_and_sees_the_deviation(
    transactional_db,
    live_server,
    browser_page,
    world,
    phones,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    for month in range(4, 10):
        usage(phones.anna, f"2026-{month:02d}", domestic=50)
    upload = tmp_path / "oktober.csv"
    upload.write_bytes(
        csv_file(row("070-123 45 67", "2026-10", data="2 400,00"), row("070-765 43 21", "2026-10"))
    )
    page, base = browser_page, live_server.url

    sign_in(page, base, "/kostnadsstallen/import/", "budget")
    page.get_by_label(sv("Operator file")).set_input_files(str(upload))
    page.get_by_role("button", name=sv("Upload and import")).click()
    page.wait_for_url(f"{base}/kostnadsstallen/import/*/")
    # The poll (static/js/costs-import.js) moves the bar and reloads when the worker is done.
    page.locator("#import-progress[data-finished='true']").wait_for(timeout=30000)
    assert page.locator("#import-status").inner_text() == sv("Imported")
    assert page.locator("#import-bar").get_attribute("value") == "100"
    assert "2026-10" in page.locator("main").inner_text()

    page.goto(f"{base}/kostnadsstallen/{world.cost_centre.pk}/kostnader/")
    anna = page.locator("table.costs tr", has_text="070-123 45 67")
    assert str(RULES["COST-2"].title) in anna.inner_text()  # in words (19.6)
    assert "2\xa0500,00 kr" in anna.inner_text()
    assert Flag.objects.filter(rule="COST-2", responsible=world.people["budgetchef"]).count() == 1
    assert page.console_errors == []


def test_cost_3_an_itemised_statement_from_request_to_the_logged_view(
    transactional_db,
    live_server,
    browser_page,
    world,
    phones,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    """The budget manager asks on special grounds, Tele kundtjänst attaches the operator's
    call list, the budget manager reads the calls, and Tele kundtjänst sees that view in
    the access log."""
    from costs.models import StatementAccess, StatementRequest
    from tests.costs.test_statements import CALLS, MONTH

    page, base = browser_page, live_server.url
    sign_in(page, base, "/kostnadsstallen/utdrag/ny/", "budget")
    pick(page, sv("Subscription"), "0701234567")
    page.get_by_label(sv("Month")).fill(MONTH)
    page.get_by_label(sv("Special grounds")).fill("Misstänkt obehörig användning.")
    page.get_by_role("button", name=sv("Send the request")).click()
    page.wait_for_url(f"{base}/kostnadsstallen/utdrag/*/")
    statement = StatementRequest.objects.get()
    assert page.locator("#statement-status").inner_text() == sv("Waiting for Tele kundtjänst")

    page.context.clear_cookies()
    sign_in(page, base, statement.get_absolute_url(), "tele")
    calls = tmp_path / "samtal.csv"
    calls.write_bytes(CALLS)
    page.get_by_label(sv("The operator's call list")).set_input_files(str(calls))
    page.get_by_role("button", name=sv("Approve and attach")).click()
    page.wait_for_url(f"{base}{statement.get_absolute_url()}")
    assert page.locator("#statement-status").inner_text() == sv("Approved")
    assert page.locator("table.calls").count() == 0  # the desk does not see the calls

    page.context.clear_cookies()
    sign_in(page, base, statement.get_absolute_url(), "budget")
    assert "070-765 43 21" in page.locator("table.calls").inner_text()

    page.context.clear_cookies()
    sign_in(page, base, "/kostnadsstallen/utdrag/logg/", "tele")
    assert "budget" in page.locator("table.access-log").inner_text()
    assert StatementAccess.objects.filter(user__username="budget", action="view").count() == 1
    assert page.console_errors == []
    # Queries between Playwright's calls may run on a connection of their own (Playwright's
    # greenlet is another context for Django's connection handler): close it, or PostgreSQL
    # keeps the test database busy at teardown.
    connections.close_all()
