"""The usage import: the whole file is validated first, one bad row rejects it, a month
imported again is replaced, unknown numbers are listed (COST-1)."""

import io
import random
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

from costs import importer, services
from costs.choices import CATEGORY_FIELDS, ImportStatus
from costs.importer import FIELDS, ImportRejected, load_usage, plain_pattern
from costs.models import UsageImport, UsageRecord
from tests.costs.conftest import csv_file, row

SAMPLE = Path(__file__).resolve().parents[2] / "costs" / "samples" / "usage-2026-10.csv"


def _amounts(subscription, period="2026-10-01"):
    return UsageRecord.objects.get(subscription=subscription, period=period)


def _rejected(content, **kwargs):
    with pytest.raises(ImportRejected) as caught:
        load_usage(content=content, **kwargs)
    assert not UsageRecord.objects.exists()
    return caught.value


def test_the_sample_file_imports_with_decimal_comma_and_thousand_spaces(phones):
    result = load_usage(content=SAMPLE.read_bytes())
    assert result.row_count == 3 and result.periods == ["2026-10"]
    bo = _amounts(phones.bo)
    assert bo.roaming == Decimal("1245.00")
    assert bo.premium == Decimal("29.00") and bo.directory == Decimal("15.90")
    assert bo.total == Decimal("1450.90")
    anna = _amounts(phones.anna)
    # The private share (delad faktura) is the employee's, not the unit's cost.
    assert anna.private_share == Decimal("35.50") and anna.total == Decimal("302.30")
    assert anna.traffic == Decimal("153.30")
    assert anna.cost_centre == phones.anna.cost_centre and anna.month == 2026 * 12 + 9


def test_plain_comma_separated_csv_with_decimal_point(phones):
    header = ",".join(
        [
            "number",
            "period",
            "subscription_fee",
            "domestic",
            "mobile",
            "international",
            "premium",
            "directory",
            "data",
            "roaming",
            "private_share",
        ]
    )
    content = (header + "\n+46701234567,202610,149.00,10.5,0,0,0,0,0,0,0\n").encode()
    load_usage(content=content)
    assert _amounts(phones.anna).total == Decimal("159.50")


def test_a_file_with_windows_line_ends(phones):
    content = csv_file(row("070-123 45 67", "2026-10"), row("070-765 43 21", "2026-10"))
    assert load_usage(content=content.replace(b"\n", b"\r\n")).row_count == 2
    assert UsageRecord.objects.count() == 2


def test_xlsx(phones):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Nummer",
            "Period",
            "Månadsavgift",
            "Samtal inom Sverige",
            "Samtal till mobil",
            "Utlandssamtal",
            "Betalsamtal",
            "Nummerupplysning",
            "Data",
            "Roaming",
            "Privat andel",
        ]
    )
    sheet.append(["070-123 45 67", "2026-10", 149, 12.5, 0, 0, 0, 0, 0, 0, 0])
    sheet.append(["46707654321", "2026-10", 149, "1,25", 0, 0, 0, 0, 0, 0, 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    load_usage(content=buffer.getvalue())
    assert _amounts(phones.anna).total == Decimal("161.50")
    assert _amounts(phones.bo).domestic == Decimal("1.25")


def test_one_bad_row_among_thousands_imports_nothing_and_names_it(phones):
    good = [
        row("070-123 45 67", f"20{year:02d}-{month:02d}")
        for year in range(10, 30)
        for month in range(1, 13)
    ]
    good += [
        row("070-765 43 21", f"20{year:02d}-{month:02d}")
        for year in range(10, 30)
        for month in range(1, 13)
    ]
    good += [
        row("019-21 10 00", f"20{year:02d}-{month:02d}", domestic="1 234,50")
        for year in range(10, 30)
        for month in range(1, 13)
    ] * 1
    rows = good * 1
    # 720 distinct rows; pad with more months of other numbers to pass a few thousand.
    rows += [row(f"+467{n:08d}", "2026-10") for n in range(3000)]
    bad_line = 1500
    rows[bad_line - 2] = row("070-123 45 67", "2031-01", data="12.50")
    with translation.override("sv"):
        rejected = _rejected(csv_file(*rows))
    assert len(rows) > 3000
    assert rejected.error_count == 1
    [error] = rejected.errors
    assert error["line"] == bad_line and error["column"] == "Data" and error["value"] == "12.50"
    assert "decimal" in error["reason"] or "decimal" in error["reason"].lower()


@pytest.mark.parametrize(
    "bad_row, column, code_word",
    [
        (row("070-123 45 67", "2026-10", fee="149.00"), "Månadsavgift", "12,50"),
        (row("070-123 45 67", "2026-10", roaming="-10,00"), "Roaming", ""),
        (row("070-123 45 67", "oktober 2026"), "Period", "2026-10."),
        (row("070-123 45 67", "2026-13"), "Period", "2026-10."),
        (row("hej", "2026-10"), "Nummer", ""),
        (row("070-123 45 67", "2026-10", data="12,345"), "Data", ""),
        (row("070-123 45 67", "2026-10", data="tolv"), "Data", ""),
    ],
)
def test_each_kind_of_bad_value_is_named_by_column(phones, bad_row, column, code_word):
    rejected = _rejected(csv_file(row("070-765 43 21", "2026-10"), bad_row))
    assert [(e["line"], e["column"]) for e in rejected.errors] == [(3, column)]
    assert code_word in rejected.errors[0]["reason"]


def test_a_negative_subscription_fee_is_a_credit_and_allowed(phones):
    load_usage(content=csv_file(row("070-123 45 67", "2026-10", fee="-49,00")))
    assert _amounts(phones.anna).total == Decimal("-49.00")


def test_decimal_comma_in_a_comma_separated_file_is_refused(phones):
    header = ",".join(FIELDS)
    rejected = _rejected((header + '\n+46701234567,2026-10,"149,00",0,0,0,0,0,0,0,0\n').encode())
    assert rejected.errors[0]["column"] == "Månadsavgift"


def test_wrong_number_of_columns(phones):
    rejected = _rejected(csv_file(row("070-123 45 67", "2026-10"), "0701234567;2026-10;1,00"))
    assert rejected.errors[0]["line"] == 3


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n",
        b"Abonnemang;Belopp\n0701234567;100\n",
        csv_file(),
        b"PK\x03\x04not really a workbook",
    ],
    ids=["0-byte", "blank", "another-layout", "header-only", "broken-xlsx"],
)
def test_unreadable_files_are_refused_with_a_message(phones, content):
    rejected = _rejected(content)
    assert rejected.message


def test_the_same_number_twice_for_a_month_is_refused(phones):
    rejected = _rejected(csv_file(row("070-123 45 67", "2026-10"), row("+46701234567", "202610")))
    assert [e["line"] for e in rejected.errors] == [3]
    assert "2" in rejected.errors[0]["reason"]


def test_an_unknown_number_twice_for_a_month_is_refused_too(phones):
    rejected = _rejected(csv_file(row("070-000 00 01", "2026-10"), row("0700000001", "2026-10")))
    assert [e["line"] for e in rejected.errors] == [3]


def test_a_duplicate_and_another_cost_centre_are_reported_together(phones, world):
    from costs.selectors import import_scope

    content = csv_file(
        row("070-123 45 67", "2026-10"),
        row("070-999 99 99", "2026-10"),  # the library's: not the budget manager's
        row("070-123 45 67", "2026-10"),
    )
    rejected = _rejected(content, scope=import_scope(world.people["budgetchef"].user))
    assert [e["line"] for e in rejected.errors] == [3, 4]


@pytest.mark.parametrize(
    "amount, expected",
    [("12,5", "12.50"), ("1 234 567 890,99", "1234567890.99"), ("", "0.00")],
)
def test_the_edge_shapes_of_an_amount(phones, amount, expected):
    load_usage(content=csv_file(row("070-123 45 67", "2026-10", domestic=amount)))
    assert str(_amounts(phones.anna).domestic) == expected


@pytest.mark.parametrize(
    "cells",
    [
        {"domestic": "12345678901,00"},  # eleven integer digits
        {"domestic": "1,234"},  # three decimals
        {"domestic": "-"},
        {"domestic": "12,"},
        {"domestic": ",5"},
        {"domestic": ","},
        {"domestic": "1|2"},
        {"fee": "-"},
        {"fee": "-,"},
        {"number": "+0701234567"},
        {"number": "+4670"},
        {"period": "2026-13"},
        {"period": "1999-10"},
    ],
)
def test_the_row_check_refuses_what_the_reasons_name(phones, cells):
    values = {"number": "070-123 45 67", "period": "2026-10"} | cells
    number, period = values.pop("number"), values.pop("period")
    rejected = _rejected(csv_file(row(number, period, **values)))
    assert rejected.errors and rejected.errors[0]["line"] == 2


def test_importing_a_month_again_replaces_only_the_rows_the_file_carries(phones):
    first = csv_file(
        row("070-123 45 67", "2026-10", domestic="10,00"),
        row("070-765 43 21", "2026-10"),
        row("070-123 45 67", "2026-09"),
    )
    load_usage(content=first)
    record = _amounts(phones.anna)
    load_usage(content=first)
    assert UsageRecord.objects.count() == 3
    assert _amounts(phones.anna).pk == record.pk  # upserted: flags on it stay put
    load_usage(content=csv_file(row("070-123 45 67", "2026-10", domestic="20,00")))
    assert _amounts(phones.anna).domestic == Decimal("20.00")
    # Bo is not in the new October file: his October stays, as does September.
    assert _amounts(phones.bo).total == Decimal("100.00")
    assert UsageRecord.objects.filter(period="2026-09-01").count() == 1


def test_unknown_numbers_are_listed_not_dropped_and_in_full(phones):
    result = load_usage(
        content=csv_file(row("070-123 45 67", "2026-10"), row("070-000 00 01", "2026-10"))
    )
    assert result.unknown_count == 1
    assert result.unknown_numbers == [
        {"number": "+46700000001", "period": "2026-10", "total": "100.00"}
    ]
    assert UsageRecord.objects.count() == 1
    many = [row(f"070-1{index:06d}", "2026-10") for index in range(600)]
    result = load_usage(content=csv_file(row("070-123 45 67", "2026-11"), *many))
    assert result.unknown_count == len(result.unknown_numbers) == 600  # not the first 500


def test_a_budget_manager_imports_only_their_own_cost_centres(phones, world):
    scope = [world.cost_centre.pk]
    rejected = _rejected(
        csv_file(row("070-123 45 67", "2026-10"), row("070-999 99 99", "2026-10")),
        scope=scope,
    )
    assert rejected.errors[0]["line"] == 3 and "7200" in rejected.errors[0]["reason"]
    # Tele kundtjänst's October import of the library's phone is not removed by hers.
    load_usage(content=csv_file(row("070-999 99 99", "2026-10")))
    load_usage(content=csv_file(row("070-123 45 67", "2026-10")), scope=scope)
    assert UsageRecord.objects.count() == 2


def test_the_task_records_progress_and_the_outcome(
    phones, world, django_capture_on_commit_callbacks
):
    actor = world.people["budgetchef"].user
    with django_capture_on_commit_callbacks() as callbacks:
        usage_import = services.usage_import_create(
            actor=actor, file_name="okt.csv", content=SAMPLE.read_bytes()
        )
    assert len(callbacks) == 1  # the Celery task is queued after commit
    assert services.usage_import_run(import_id=usage_import.pk) == ImportStatus.DONE
    usage_import.refresh_from_db()
    assert (usage_import.status, usage_import.progress, usage_import.row_count) == ("done", 100, 3)
    assert usage_import.periods == ["2026-10"]
    # A second run of a finished import and a missing import do nothing.
    assert services.usage_import_run(import_id=usage_import.pk) is None
    assert services.usage_import_run(import_id=999999) is None
    assert UsageRecord.objects.count() == 3


def test_a_rejected_import_keeps_its_report(phones, world):
    usage_import = UsageImport.objects.create(
        file_name="fel.csv",
        content=csv_file(row("070-123 45 67", "2026-10", data="1.0")),
        uploaded_by=world.people["telekundtjanst"].user,
    )
    assert services.usage_import_run(import_id=usage_import.pk) == ImportStatus.REJECTED
    usage_import.refresh_from_db()
    assert usage_import.error_count == 1 and usage_import.errors[0]["line"] == 2
    assert not UsageRecord.objects.exists()


# --- The fast path (PostgreSQL): a subset of the thorough path, typed the same ----------


def _outcome(content):
    """What an import of `content` stores, or the cells its report names; then undone."""
    try:
        load_usage(content=content)
    except ImportRejected as rejected:
        return "rejected", [(error["line"], error["column"]) for error in rejected.errors]
    fields = ("subscription_id", "cost_centre_id", "period", "month", *CATEGORY_FIELDS)
    stored = sorted(UsageRecord.objects.values_list(*fields, "total", "traffic"))
    UsageRecord.objects.all().delete()
    return "stored", stored


@pytest.mark.parametrize("period", ["2026-10-", "2026--10", "-202610", "20-2610", "2026-1-0"])
def test_a_period_with_a_stray_dash_is_refused_on_every_database(phones, period):
    """YYYY-MM or YYYYMM: PostgreSQL's thorough path used to drop every dash first."""
    content = csv_file(row("070-123 45 67", period), row("070-765 43 21", "2026-10"))
    rejected = _rejected(content)
    assert [(error["line"], error["column"]) for error in rejected.errors] == [(2, "Period")]


def test_a_number_with_a_no_break_space_is_read_on_every_database(phones):
    content = csv_file(row("070\u00a0123\u00a045\u00a067", "2026-10"))
    load_usage(content=content)
    assert UsageRecord.objects.get().subscription_id == phones.anna.pk


@pytest.mark.parametrize(
    "cells, plain, fast",
    [
        ({}, True, True),
        ({"number": "+46701234567"}, True, True),
        ({"number": "46701234567"}, True, True),
        ({"number": "0046 70/123 45 67"}, True, True),
        ({"period": "202610"}, True, True),
        ({"fee": "-49,5", "domestic": "007"}, True, True),
        ({"fee": "-0", "domestic": "0,5", "data": "1234567890,99"}, True, True),
        ({"domestic": "", "private": ""}, True, True),  # empty is 0
        # The pattern's shape, but not a valid E.164 number: the SQL check sends it on.
        ({"number": "+0701234567"}, True, False),
        ({"number": "+4670"}, True, False),
        ({"number": "00"}, True, False),
        ({"number": "+4670123456789012"}, True, False),
        # Accepted by the thorough path only.
        ({"domestic": "1 234,50"}, False, False),
        ({"domestic": " 12,50"}, False, False),
        ({"number": "(070) 123 45 67"}, False, False),
        ({"number": "070\u00a0123 45 67"}, False, False),
        ({"period": " 2026-10"}, False, False),
        # Refused by both.
        ({"domestic": "-1,00"}, False, False),
        ({"fee": "-"}, False, False),
        ({"domestic": "12,"}, False, False),
        ({"domestic": ",5"}, False, False),
        ({"domestic": "1,234"}, False, False),
        ({"domestic": "12.50"}, False, False),
        ({"domestic": "12345678901,00"}, False, False),
        ({"number": "070-12a"}, False, False),
        ({"period": "2026-13"}, False, False),
        ({"period": "1999-10"}, False, False),
    ],
)
def test_the_fast_path_takes_only_what_the_thorough_path_takes_and_types_it_the_same(
    phones, monkeypatch, cells, plain, fast
):
    values = {"number": "070-123 45 67", "period": "2026-10"} | cells
    content = csv_file(
        row(values.pop("number"), values.pop("period"), **values), row("070-765 43 21", "2026-10")
    )
    assert (plain_pattern(";").fullmatch(content.decode().partition("\n")[2]) is not None) == plain
    taken = []
    fast_stage = importer._fast_stage

    def spy(cursor, parsed):
        taken.append(fast_stage(cursor, parsed))
        return taken[-1]

    monkeypatch.setattr(importer, "_fast_stage", spy)
    outcome = _outcome(content)
    monkeypatch.setattr(importer, "_fast_stage", lambda cursor, parsed: None)
    assert _outcome(content) == outcome  # the thorough path alone
    if connection.vendor == "postgresql":
        assert (taken == [2]) == fast
    assert outcome[0] == "stored" or not fast


def test_the_fast_path_of_a_comma_separated_file(phones, monkeypatch):
    header = ",".join(FIELDS)
    content = (header + "\n+46701234567,2026-10,-149.5,10.25,,0,0,0,1234567890.99,0,7\n").encode()
    fast = _outcome(content)
    monkeypatch.setattr(importer, "_fast_stage", lambda cursor, parsed: None)
    assert _outcome(content) == fast and fast[0] == "stored"


def test_every_line_of_the_plain_shape_passes_the_thorough_checks(phones, monkeypatch):
    """A thousand rows drawn from near-miss cells: wherever the pattern takes a line, the
    thorough report names no cell of it, except a number that is no valid E.164 (which
    the fast path checks in SQL)."""
    # Per column: cells of the plain shape, and near misses (drawn one time in ten).
    numbers = (
        ["070-123 45 67", "+46701234567", "0046701234567", "46701234567", "+4670", "0"],
        ["(070)1234567", "+46 70 1234567", "070-12a", "", "+", "++4670123456", "-070123456"]
        + ["0701234567-", "070 123 45 67 ", "070,12", "+0701234567"],
    )
    periods = (
        ["2026-10", "202610"],
        ["2026-13", "1999-10", "2026-1", "2026--10", " 2026-10", "2026-00", "20261", ""]
        + ["2026-10-", "2026/10", "\uff12026-10", "2026-1\u0660"],
    )
    plain_amounts = ["", "0", "0,5", "12,50", "12,5", "1234567890,99", "007"]
    amounts = (
        plain_amounts,
        ["12,", ",5", "-1,00", "-", "1 234,50", "12.50", "1,234", "+1", "1e3", " 3,00"]
        + ["12345678901,00", "\u0661\u0662", "12,5 ", "--1", "12,\u0665"],
    )
    fee = (plain_amounts + ["-12,50", "-0"], amounts[1])
    randomness = random.Random(8)

    def draw(plain, near):
        return randomness.choice(near if randomness.random() < 0.1 else plain)

    lines = [
        ";".join(
            [draw(*numbers), draw(*periods), draw(*fee)] + [draw(*amounts) for _name in FIELDS[3:]]
        )
        for _index in range(1000)
    ]
    monkeypatch.setattr(importer, "MAX_REPORTED_ERRORS", 10_000)
    monkeypatch.setattr(importer, "_fast_stage", lambda cursor, parsed: None)
    rejected = _rejected(csv_file(*lines))
    named = {(error["line"], error["column"]) for error in rejected.errors}
    pattern = plain_pattern(";")
    plain = [number for number, line in enumerate(lines, start=2) if pattern.fullmatch(line + "\n")]
    assert 200 < len(plain) < 900  # the draw reaches both sides
    for line in plain:
        assert {column for named_line, column in named if named_line == line} <= {"Nummer"}
