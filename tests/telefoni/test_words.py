"""Issue 19.6: words, not codes; one name per thing.

Every flag and reason reads as Swedish words (a requirement id follows in small print for
Tele kundtjänst only); Hänvisning and Resor are in the navigation; the compliance page has
one name; dates read "fre 4 dec"; the cost chart has a value axis and values.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from compliance.models import Flag
from costs.views import _axis_step
from service.models import Callback
from tests.compliance.test_dashboard import open_flag
from tests.costs.conftest import phones, usage  # noqa: F401  (phones: a fixture)
from tests.devices.conftest import items, order, tsam  # noqa: F401  (fixtures)
from tests.service.conftest import take_message

RULE_ID = re.compile(r"\b[A-Z]{2,4}-\d\b")
TK_ONLY = re.compile(r'<small class="rule-id">[^<]*</small>')
NOT_TK = (
    "employee",
    "manager",
    "forvaltningschef",
    "budgetchef",
    "telesamordnare_other",
    "kundtjanst",
    "ksordforande",
    "admin",
)


@pytest.fixture
def flagged(world, phones):  # noqa: F811  (the fixture imported above)
    """Flags of several rules where each role meets them: on the unit (start page and
    dashboard), on a cost record (cost pages) and on Anna herself (her start page)."""
    record = usage(phones.anna, "2026-10", premium=29)
    usage(phones.anna, "2026-09", domestic=20)
    for rule in ("ORG-3", "REV-1"):
        open_flag(rule, world.grupp, responsible=world.people["manager"])
    open_flag("COST-5", world.hemtjanst, obj=record, responsible=world.people["budgetchef"])
    anna = world.people["employee"]
    open_flag("ABS-1", world.grupp, obj=anna, responsible=anna)
    return record


def _pages(world, record, an_order=None):
    return [
        *([an_order.get_absolute_url()] if an_order else []),
        reverse("start"),
        reverse("compliance:index"),
        reverse("compliance:unit", args=[world.grupp.pk]),
        reverse("compliance:rule", args=["ORG-3"]),
        reverse("costs:cost_overview"),
        reverse("costs:cost_centre_costs", args=[world.cost_centre.pk]) + "?month=2026-10",
        reverse("costs:usage_record_detail", args=[record.pk]),
        reverse("costs:private_share_export"),
        reverse("absence:mine"),
        reverse("absence:trips"),
        reverse("voicemail:mine"),
        reverse("devices:mine"),
        reverse("review:index"),
        reverse("service:callback_list"),
        reverse("directory:search") + "?q=Östlund",
    ]


def _shown(page):
    """The page as a reader sees it: without tags' attributes, which no one reads."""
    return re.sub(r"<[^>]*>", " ", page)


@pytest.mark.parametrize("who", NOT_TK)
def test_no_bare_requirement_ids_on_the_main_pages(
    matrix_client,
    world,
    flagged,
    order,  # noqa: F811 (the fixture)
    who,
):
    client = matrix_client(who)
    seen = 0
    for url in _pages(world, flagged, order):
        response = client.get(url)
        if response.status_code != 200:
            continue  # pages a role may not open are their views' role tables' business
        seen += 1
        page = response.content.decode()
        assert 'class="rule-id"' not in page, url
        assert not RULE_ID.findall(_shown(page)), (url, RULE_ID.findall(_shown(page)))
    assert seen >= 8


def test_the_desk_sees_titles_with_the_id_in_small_print_only(
    matrix_client,
    world,
    flagged,
    order,  # noqa: F811 (the fixture)
):
    client = matrix_client("telekundtjanst")
    for url in _pages(world, flagged, order):
        response = client.get(url)
        if response.status_code != 200:
            continue
        assert not RULE_ID.findall(_shown(TK_ONLY.sub("", response.content.decode()))), url
    dashboard = client.get(reverse("compliance:index")).content.decode()
    assert "A reserve plan for power outages" not in dashboard  # Swedish, not the msgid
    assert '<small class="rule-id">ORG-3</small>' in dashboard


def test_the_order_says_who_approves_in_words(matrix_client, world, order):  # noqa: F811
    page = matrix_client("manager").get(order.get_absolute_url()).content.decode()
    assert "<dd>Enhetschefen</dd>" in page


def test_a_flagged_cost_month_says_what_is_wrong_in_words(matrix_client, world, flagged):
    page = matrix_client("budgetchef").get(reverse("costs:usage_record_detail", args=[flagged.pk]))
    text = _shown(page.content.decode())
    assert "COST-5" not in text
    rule = Flag.objects.get(rule="COST-5")
    from compliance.rules import RULES

    assert str(RULES[rule.rule].title) in page.content.decode()


def test_the_rule_page_is_titled_by_the_rule(matrix_client, world, flagged):
    from compliance.rules import RULES

    page = matrix_client("manager").get(reverse("compliance:rule", args=["ORG-3"]))
    title = str(RULES["ORG-3"].title)
    assert re.search(r"<h1>\s*" + re.escape(title), page.content.decode())


# --- Hänvisning and Resor in the navigation --------------------------------------------


def _nav(page):
    return page.split('<nav aria-label="Huvudmeny">', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("who", ["employee", "manager", "telekundtjanst", "kundtjanst", "admin"])
def test_redirects_and_trips_are_in_the_navigation(matrix_client, world, who):
    nav = _nav(matrix_client(who).get(reverse("start")).content.decode())
    assert f'<a href="{reverse("absence:mine")}">Hänvisning</a>' in nav
    assert f'<a href="{reverse("absence:trips")}">Resor</a>' in nav


def test_the_trips_link_is_the_current_page_on_trips(matrix_client, world):
    nav = _nav(matrix_client("employee").get(reverse("absence:trips")).content.decode())
    assert f'<a href="{reverse("absence:trips")}" aria-current="page">Resor</a>' in nav
    assert f'<a href="{reverse("absence:mine")}">Hänvisning</a>' in nav


def test_an_account_without_a_person_gets_no_redirect_links(client, world):
    user = get_user_model().objects.create_user("service-account")
    client.force_login(user)
    nav = _nav(client.get(reverse("start")).content.decode())
    assert "Hänvisning" not in nav
    assert "Resor" not in nav


# --- The compliance page has one name ----------------------------------------------------


def test_the_compliance_page_has_one_name(matrix_client, world, flagged):
    page = matrix_client("manager").get(reverse("compliance:index")).content.decode()
    assert ">Efterlevnad</a>" in _nav(page)
    assert "<title>Efterlevnad – Telefoni</title>" in page
    assert re.search(r"<h1>Efterlevnad\b", page)
    unit_page = matrix_client("manager").get(reverse("compliance:unit", args=[world.grupp.pk]))
    assert "Regelefterlevnad" not in page + unit_page.content.decode()


# --- Dates the Swedish way ---------------------------------------------------------------


def test_the_callback_list_prints_the_day_the_swedish_way(matrix_client, world, clock):
    callback = take_message(world)
    Callback.objects.filter(pk=callback.pk).update(deadline=date(2026, 12, 4))
    page = matrix_client("kundtjanst").get(reverse("service:callback_list")).content.decode()
    assert "fre 4 dec" in page
    assert "Dec" not in page


TEMPLATE_DATE_FORMAT = re.compile(r"""\|date:["']([^"']+)["']""")


def test_no_template_formats_a_date_with_a_capitalised_abbreviation():
    """Django's "M" writes "Dec" and "N" "dec."; Swedish writes "dec" (the short_day filter)."""
    found = []
    for path in Path(settings.BASE_DIR).glob("*/templates/**/*.*"):
        for fmt in TEMPLATE_DATE_FORMAT.findall(path.read_text()):
            if fmt.endswith("_FORMAT"):
                continue
            if re.search(r"(?<!\\)[MN]", fmt):
                found.append((str(path), fmt))
    assert not found


# --- The cost chart: an axis and values --------------------------------------------------


def test_the_cost_chart_has_a_value_axis_in_kronor_and_each_bars_value(
    matrix_client,
    world,
    phones,  # noqa: F811  (the fixture imported above)
):
    usage(phones.anna, "2026-09", domestic=20)  # 120 kr with the fee
    usage(phones.anna, "2026-10", domestic="1234.5")  # 1 334,50 kr
    page = matrix_client("budgetchef").get(reverse("costs:cost_overview")).content.decode()
    axis = re.findall(r'<text class="axis-label"[^>]*>([^<]*)</text>', page)
    assert axis == ["0 kr", "500 kr", "1\xa0000 kr", "1\xa0500 kr"]
    values = re.findall(r'<text class="bar-value"[^>]*>([^<]*)</text>', page)
    assert values == ["120", "1\xa0335"]  # whole kronor, rounded
    assert "<script" not in page.split('<figure class="cost-chart">', 1)[1].split("</figure>")[0]


@pytest.mark.parametrize(
    "highest, step", [(1, 1), (3, 1), (120, 50), (1463.5, 500), (40_000, 10_000), (9, 5)]
)
def test_the_axis_step_is_round_and_needs_at_most_four_steps(highest, step):
    assert _axis_step(highest) == step
    assert step * 4 >= highest
