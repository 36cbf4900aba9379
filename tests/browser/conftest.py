"""Chromium for the browser tests (Playwright, Debian's /usr/bin/chromium)."""

import os

import pytest

from tests.services import require_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page():
    path = require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.console_errors = errors
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def pick(page, label, typed):
    """Choose in a picker that searches (issue 19.3) by the keyboard: type, wait for the
    suggestions, take the first. `typed` should name one row."""
    box = page.get_by_role("combobox", name=label)
    box.press_sequentially(typed, delay=20)
    listbox = box.get_attribute("aria-controls")
    page.locator(f'[id="{listbox}"] [role="option"]').first.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    return box
