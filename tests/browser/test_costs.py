"""COST-1, COST-2 end to end in a real Chromium with a real Celery worker: the budget
manager uploads the operator's file, watches the import finish, and sees the month that
deviates from its normal level flagged on the cost centre's page."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from compliance.models import Flag
from tests.costs.conftest import csv_file, desk, phones, row, usage  # noqa: F401


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
    assert "COST-2" in anna.inner_text()
    assert "2\xa0500,00 kr" in anna.inner_text()
    assert Flag.objects.filter(rule="COST-2", responsible=world.people["budgetchef"]).count() == 1
    assert page.console_errors == []
