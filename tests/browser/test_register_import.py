"""Issue 17.4 end to end in a real Chromium with a real Celery worker: Tele kundtjänst
uploads a register file with an error, reads the Swedish report on the page, fixes the
file and uploads it again; it imports, and telesök finds a person who had no phone before
with the imported number."""

import pytest

from subscriptions.models import Subscription
from tests.browser.test_costs import sign_in, sv
from tests.register.conftest import files, reg, subscription  # noqa: F401


def upload(page, base, path):
    page.goto(f"{base}/registerimport/")
    page.get_by_label(sv("Register files")).set_input_files(str(path))
    page.get_by_role("button", name=sv("Upload and import")).click()
    page.wait_for_url(f"{base}/registerimport/*/")
    page.locator("#import-progress[data-finished='true']").wait_for(timeout=30000)


@pytest.mark.usefixtures("redis_worker")
def test_tele_kundtjanst_fixes_a_rejected_register_and_telesok_shows_the_phone(
    transactional_db,
    live_server,
    browser_page,
    reg,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    bo = reg.world.people["colleague"]  # has no phone yet
    assert not Subscription.objects.filter(holder=bo).exists()
    wrong = [subscription("019-21 10 77", bo.external_id, extension="1077", unit="HTN9")]
    path = tmp_path / "abonnemang.csv"
    ((_name, content),) = files(subscriptions=wrong)
    path.write_bytes(content)
    page, base = browser_page, live_server.url
    sign_in(page, base, "/registerimport/", "tele")

    upload(page, base, path)

    assert page.locator("#import-status").inner_text() == sv("Rejected")
    report = page.locator("#import-errors").inner_text()
    assert "abonnemang.csv" in report and "HTN9" in report
    assert sv("No unit has this organisation code.") in report
    assert not Subscription.objects.filter(holder=bo).exists()

    wrong[0]["Enhetskod"] = "HTN1"
    ((_name, content),) = files(subscriptions=wrong)
    path.write_bytes(content)
    upload(page, base, path)

    assert page.locator("#import-status").inner_text() == sv("Imported")
    assert "1" in page.locator("#import-counts").inner_text()
    page.goto(f"{base}/telesok/?q={bo.last_name}")
    main = page.locator("main").inner_text()
    assert bo.last_name in main and "019-21 10 77" in main
    assert page.console_errors == []
