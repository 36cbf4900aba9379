"""REV-1 end to end in a real Chromium: the enhetschef of a small unit decides every row
in one pass (cancels one phone, "Behåll alla övriga" for the rest), signs the review and
downloads the signed PDF.

Button and label texts come from the catalogue (gettext under "sv"), so the test reads the
page as a Swedish user does."""

from datetime import date

import pytest
from django.utils import translation
from django.utils.translation import gettext

from common.roles import Role
from review import services
from review.choices import Decision, ReviewStatus
from review.models import UnitReview
from subscriptions import services as subscription_services
from subscriptions.choices import Kind
from tests.factories import CostCentreFactory, UnitFactory, person_with_user
from tests.services import pdf_text


def sv(msgid):
    with translation.override("sv"):
        return gettext(msgid)


@pytest.fixture
def review(transactional_db):
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    unit = UnitFactory(name="Hemtjänst Söder", parent=vof)
    ksf = UnitFactory(name="Kommunstyrelseförvaltningen")
    desk = person_with_user(
        unit=UnitFactory(name="Tele kundtjänst", parent=ksf),
        roles=[Role.TELEKUNDTJANST],
        username="tele",
        title="Teletekniker",
    )
    chef = person_with_user(
        unit=unit,
        roles=[Role.ENHETSCHEF],
        username="chef",
        first_name="Märta",
        last_name="Öberg",
        title="Enhetschef",
    )
    unit.manager = chef
    unit.save()
    greta = person_with_user(
        unit=unit, username="greta", first_name="Greta", last_name="Älvström", title="Usk"
    )
    cost_centre = CostCentreFactory(code="4200", unit=unit, budget_manager=chef)
    for number, extension, holder in (
        ("+4619213000", "3000", greta),
        ("+4619213001", "3001", chef),
        ("+4619213002", "3002", greta),
    ):
        subscription_services.subscription_create(
            actor=desk.user,
            kind=Kind.FIXED,
            number=number,
            extension=extension,
            holder=holder,
            unit=unit,
            cost_centre=cost_centre,
        )
    services.review_round_open(actor=desk.user, year=2026, deadline=date(2099, 3, 31))
    return UnitReview.objects.get(unit=unit)


def sign_in(page, base, path, username):
    page.goto(f"{base}{path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("secret-pass-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{path}")


def test_rev_1_manager_decides_the_whole_review_in_one_pass_and_signs_it(
    live_server, browser_page, review, tmp_path
):
    page, base = browser_page, live_server.url
    sign_in(page, base, "/oversyn/", "chef")
    page.get_by_role("link", name="Hemtjänst Söder").click()
    url = f"{base}/oversyn/enhet/{review.pk}/"
    page.wait_for_url(url)

    # Signing with rows left is refused, in Swedish.
    page.get_by_role("button", name=sv("Sign the review")).click()
    page.get_by_text("3 abonnemang saknar beslut.").first.wait_for()

    # One pass: cancel Greta's phone with a note, keep all the others, one submit.
    greta_row, chef_row, spare_row = review.items.order_by("subscription__number")
    row = page.locator(f"#rad-{greta_row.pk}")
    row.get_by_label(sv("Cancel it")).check()
    row.get_by_label(sv("Note")).fill("Har slutat")
    page.get_by_role("button", name=sv("Keep all others")).click()
    page.get_by_text("3 beslut sparade.").wait_for()
    assert page.locator(f"#rad-{chef_row.pk}").get_by_label(sv("Keep")).is_checked()
    assert page.locator(f"#rad-{greta_row.pk}").get_by_label(sv("Note")).input_value() == (
        "Har slutat"
    )

    # The page reflows at 320 CSS px: only the table's own box scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    # The header's navigation is the shared stylesheet's (issue 19); the review's own
    # content must fit: nothing in <main> reaches past 320 px but inside the table's box.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => !e.closest('.table-scroll') || e.matches('.table-scroll'))
            .filter(e => e.getBoundingClientRect().right > 320.5)
            .map(e => e.tagName + '.' + e.className)"""
    )
    assert overflowing == []
    box = "document.querySelector('.review-decisions .table-scroll')"
    assert page.evaluate(f"{box}.scrollWidth") > 320
    region = page.get_by_role("region", name="3 abonnemang")
    region.focus()  # the scrolling box is reachable with the keyboard
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name=sv("Sign the review")).click()
    page.get_by_text(sv("The review is signed. The PDF is kept with it.")).wait_for()

    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED
    assert dict(review.items.values_list("subscription__number", "decision")) == {
        "+4619213000": Decision.CANCEL,
        "+4619213001": Decision.KEEP,
        "+4619213002": Decision.KEEP,
    }
    # Read-only now: no decision form, no sign button.
    assert page.get_by_role("button", name=sv("Save the decisions")).count() == 0
    assert page.get_by_role("button", name=sv("Sign the review")).count() == 0

    with page.expect_download() as download:
        page.get_by_role("link", name=sv("Download the PDF")).click()
    path = tmp_path / "review.pdf"
    download.value.save_as(path)
    text = pdf_text(path.read_bytes(), tmp_path)
    assert "Årlig översyn 2026: Hemtjänst Söder" in text
    assert "Märta Öberg" in text and "Greta Älvström" in text
    assert "Säg upp" in text and "Behåll" in text
    assert page.console_errors == []
