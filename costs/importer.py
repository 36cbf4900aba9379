# ruff: noqa: S608  (every name and number in the SQL below is a module constant or an int)
"""Loading the operator's monthly file at database speed (COST-1, COST-2, SUB-5).

On PostgreSQL a file of the plain shape takes the fast path (_fast_stage): one compiled
regular expression checks the whole text, COPY loads it with typed amounts, and one scan
matches the numbers to abonnemangsdatabasen. Any other file takes the thorough path: into a
staging table as text (COPY), then one scan normalises, checks, types and matches every row
(_check_and_type); only a file that fails is scanned again to name each bad cell. The fast
path accepts a subset of what the thorough path accepts and types it the same; every report
comes from the thorough path. SQLite stages with executemany and normalises, validates and
types in three steps. The rows are then written to UsageRecord in one transaction, and the
database checks each row's subscription and cost centre (foreign keys, deferred to the
commit). No Python loop runs per row on PostgreSQL. One bad row rejects the whole file.

The layout (README, "Kostnader"): a header line, then one row per number and month:
Nummer, Period, Månadsavgift, Samtal inom Sverige, Samtal till mobil, Utlandssamtal,
Betalsamtal, Nummerupplysning, Data, Roaming, Privat andel. Semicolon-separated files use
decimal comma (as Swedish operators deliver them), comma-separated files a decimal point.
"""

import csv
import io
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils.translation import gettext as _

from common.uploads import XLSX_MAGIC, delimiter_of, parse_decoded
from common.uploads import UploadRejected as ImportRejected

from .choices import CATEGORY_FIELDS, COST_FIELDS, NEGATIVE_ALLOWED, TRAFFIC_FIELDS

log = logging.getLogger(__name__)

# (column in the staging table, header in the operator's file)
COLUMNS = (
    ("number", "Nummer"),
    ("period", "Period"),
    ("subscription_fee", "Månadsavgift"),
    ("domestic", "Samtal inom Sverige"),
    ("mobile", "Samtal till mobil"),
    ("international", "Utlandssamtal"),
    ("premium", "Betalsamtal"),
    ("directory", "Nummerupplysning"),
    ("data", "Data"),
    ("roaming", "Roaming"),
    ("private_share", "Privat andel"),
)
FIELDS = tuple(name for name, _header in COLUMNS)
HEADERS = dict(COLUMNS)
assert FIELDS[2:] == CATEGORY_FIELDS

MAX_REPORTED_ERRORS = 200
STAGING = "costs_usage_staging"
NORM = "costs_usage_norm"
TYPED = "costs_usage_typed"
# The staging table's line numbers (the header is line 1). The sequence belongs to this
# session's temporary table, so a cache of ids hands them out in order all the same, and
# it saves a sequence update per row: nearly a third of the COPY (bench_costs).
LINE_NO = "line_no BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 2 CACHE 10000)"
CENT = Decimal("0.01")
# The subscription a number belongs to (the newest, should a number have been reused).
SUBSCRIPTION_BY_NUMBER = (
    "(SELECT DISTINCT ON (number) number, id, cost_centre_id "
    "FROM subscriptions_subscription ORDER BY number, id DESC)"
)

E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
PERIOD_PATTERN = r"^20[0-9]{2}-?(0[1-9]|1[0-2])$"
AMOUNT_PATTERN = r"^-?[0-9]{1,10}(\.[0-9]{1,2})?$"


def reasons():
    """Reason codes -> Swedish text for the report (translated when called)."""
    return {
        "columns": _("Wrong number of columns."),
        "invalid_row": _("The row cannot be read."),
        "invalid_number": _("Not a valid phone number."),
        "bad_period": _("Unknown period format: write the month as YYYY-MM, e.g. 2026-10."),
        "decimal_point": _(
            "Wrong decimal sign: a semicolon-separated file uses a decimal comma (12,50)."
        ),
        "decimal_comma": _(
            "Wrong decimal sign: a comma-separated file uses a decimal point (12.50)."
        ),
        "not_amount": _("Not an amount in kronor (at most two decimals)."),
        "negative": _("A negative amount is not allowed in this column."),
        "duplicate": _("The number appears more than once for this month (also on row %(other)s)."),
        "other_cost_centre": _(
            "The number belongs to a cost centre you are not responsible for (%(code)s)."
        ),
    }


@dataclass
class Parsed:
    mode: str  # "semicolon" (decimal comma), "comma" (decimal point) or "xlsx"
    delimiter: str
    body: io.StringIO  # the data lines after the header, CSV with `delimiter`
    encoding: str = "UTF-8"  # how the bytes were read: UTF-8, UTF-16, Windows-1252 or XLSX


@dataclass
class LoadResult:
    """What a load did (or, with dry_run, would do). `centres` has one dict per cost centre
    touched: id, code, name, added, changed, unchanged, removed; `closing_flags` the open
    flags on the rows the load removes (they close with the sweep that follows)."""

    row_count: int = 0
    periods: list = field(default_factory=list)
    unknown_numbers: list = field(default_factory=list)
    unknown_count: int = 0
    encoding: str = ""
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    centres: list = field(default_factory=list)
    closing_flags: list = field(default_factory=list)


# --- Reading the file ---------------------------------------------------------------


def _layout_error(found):
    expected = "; ".join(header for _name, header in COLUMNS)
    return ImportRejected(
        _(
            "The file does not have the expected column layout. Expected the columns: "
            "%(expected)s. Found: %(found)s."
        )
        % {"expected": expected, "found": found or _("nothing")}
    )


def _check_header(cells):
    names = [str(cell or "").strip().lower() for cell in cells]
    while names and names[-1] == "":
        names.pop()
    expected = [header.lower() for _name, header in COLUMNS]
    if names != expected and names != list(FIELDS):
        raise _layout_error("; ".join(str(cell or "") for cell in cells))


def parse_file(content):
    """Bytes of an upload -> Parsed, or ImportRejected for an empty file or another layout."""
    if content and content.startswith(XLSX_MAGIC):
        return _parse_xlsx(content)
    return parse_decoded(content, _parse_text)


def _parse_text(text, encoding):
    # Windows line ends become plain ones: COPY refuses a file that mixes the two, and the
    # last line here always ends in "\n".
    text = text.replace("\r\n", "\n").rstrip("\r\n\t ") + "\n"
    header_line, _sep, rest = text.partition("\n")
    delimiter = delimiter_of(header_line)
    _check_header(next(csv.reader([header_line], delimiter=delimiter)))
    if not rest.strip():
        raise ImportRejected(_("The file has a header but no rows."))
    mode = "semicolon" if delimiter == ";" else "comma"
    return Parsed(mode=mode, delimiter=delimiter, body=io.StringIO(rest), encoding=encoding)


def _xlsx_cell(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")
    if isinstance(value, float):
        return f"{value:.2f}" if value != int(value) else str(int(value))
    return str(value)


def _parse_xlsx(content):
    """An XLSX upload -> Parsed. A truncated or broken workbook fails when it is opened or
    only when a sheet is read (read-only mode reads lazily): both are a refusal."""
    try:
        parsed = _read_xlsx(content)
    except ImportRejected as rejected:
        rejected.encoding = "XLSX"
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors of a broken archive
        unreadable = ImportRejected(_("The file is not a readable XLSX workbook."))
        unreadable.encoding = "XLSX"
        raise unreadable from exc
    return parsed


def _read_xlsx(content):
    from openpyxl import load_workbook  # noqa: PLC0415 -- openpyxl loads slowly; only an XLSX upload needs it

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    try:
        _check_header(next(rows))
    except StopIteration:
        raise ImportRejected(_("The file is empty.")) from None
    body = io.StringIO()
    writer = csv.writer(body, delimiter=",", lineterminator="\n")
    count = 0
    for row in rows:
        cells = [_xlsx_cell(value) for value in row]
        while len(cells) > len(FIELDS) and cells[-1] == "":
            cells.pop()
        if not any(cells):
            continue
        writer.writerow(cells)
        count += 1
    workbook.close()
    if not count:
        raise ImportRejected(_("The file has a header but no rows."))
    body.seek(0)
    if "\x00" in body.getvalue():
        raise ImportRejected(_("The workbook contains NUL characters, which cannot be stored."))
    return Parsed(mode="xlsx", delimiter=",", body=body, encoding="XLSX")


# --- SQL that differs between the two databases -----------------------------------------


def _regex(expression, pattern):
    operator = "~" if connection.vendor == "postgresql" else "REGEXP"
    return f"({expression} {operator} '{pattern}')"


def _period_date(month):
    if connection.vendor == "postgresql":
        return f"make_date(({month}) / 12, ({month}) % 12 + 1, 1)"
    return f"printf('%04d-%02d-01', ({month}) / 12, ({month}) % 12 + 1)"


def _number_bare(column):
    if connection.vendor == "postgresql":
        return f"TRANSLATE(COALESCE({column}, ''), ' -()/ ', '')"
    bare = f"COALESCE(TRIM({column}), '')"
    for char in (" ", "-", "(", ")", "/", "\u00a0"):
        bare = f"REPLACE({bare}, '{char}', '')"
    return bare


def _number_sql(column, bare=None):
    """The operator's written number -> E.164 (national numbers get the home country code)."""
    country = phonenumbers.country_code_for_region(settings.TELEFONI_PHONE_REGION)
    bare = bare or _number_bare(column)
    return (
        f"(CASE WHEN {bare} LIKE '+%' THEN {bare} "
        f"WHEN {bare} LIKE '00%' THEN '+' || SUBSTR({bare}, 3) "
        f"WHEN {bare} LIKE '0%' THEN '+{country}' || SUBSTR({bare}, 2) "
        f"ELSE '+' || {bare} END)"
    )


def _period_text(column="period"):
    """The period as YYYYMM when it is written YYYY-MM; any other text as it is, for the
    checks to refuse unless it is YYYYMM ("2026-10-" must not pass as 202610)."""
    text = f"COALESCE(TRIM({column}), '')"
    return (
        f"(CASE WHEN LENGTH({text}) = 7 AND SUBSTR({text}, 5, 1) = '-' "
        f"THEN SUBSTR({text}, 1, 4) || SUBSTR({text}, 6, 2) ELSE {text} END)"
    )


def _month_sql(column="period"):
    text = _period_text(column)
    return (
        f"(CAST(SUBSTR({text}, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR({text}, 5, 2) AS INTEGER) - 1)"
    )


def _bare_amount(column):
    return f"REPLACE(REPLACE(COALESCE(TRIM({column}), ''), ' ', ''), '\u00a0', '')"


def _amount_text(column, mode):
    bare = _bare_amount(column)
    return bare if mode == "comma" else f"REPLACE({bare}, ',', '.')"


def _amount_sql(column, mode):
    text = _amount_text(column, mode)
    return f"CAST(COALESCE(NULLIF({text}, ''), '0') AS NUMERIC(12, 2))"


def _amount_reason(column, mode):
    bare, text = _bare_amount(column), _amount_text(column, mode)
    wrong = {"semicolon": ("'.'", "decimal_point"), "comma": ("','", "decimal_comma")}.get(mode)
    cases = []
    if wrong:
        cases.append(f"WHEN {bare} LIKE '%' || {wrong[0]} || '%' THEN '{wrong[1]}'")
    cases.append(f"WHEN {text} <> '' AND NOT {_regex(text, AMOUNT_PATTERN)} THEN 'not_amount'")
    if column not in NEGATIVE_ALLOWED:
        cases.append(f"WHEN {text} LIKE '-%' THEN 'negative'")
    return f"(CASE {' '.join(cases)} END)"


def _reason_columns(mode):
    """(staging column, SQL giving a reason code or NULL) for every column of a row."""
    number = _number_sql("number")
    period = "COALESCE(TRIM(period), '')"
    columns = [
        ("number", f"(CASE WHEN NOT {_regex(number, E164_PATTERN)} THEN 'invalid_number' END)"),
        (
            "period",
            f"(CASE WHEN NOT {_regex(period, PERIOD_PATTERN)} THEN 'bad_period' END)",
        ),
    ]
    columns += [(name, _amount_reason(name, mode)) for name in CATEGORY_FIELDS]
    return columns


# --- Loading --------------------------------------------------------------------------


def _drop_staging(cursor):
    cursor.execute(f"DROP TABLE IF EXISTS {TYPED}")
    cursor.execute(f"DROP TABLE IF EXISTS {NORM}")
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")


def _stage(cursor, parsed):
    """The file's rows into the staging table as text; returns the row count."""
    text_columns = ", ".join(f"{name} TEXT" for name in FIELDS)
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMP TABLE {STAGING} ({LINE_NO}, {text_columns})")
        delimiter = parsed.delimiter
        sql = (
            f"COPY {STAGING} ({', '.join(FIELDS)}) FROM STDIN "
            f"WITH (FORMAT csv, DELIMITER '{delimiter}')"
        )
        import psycopg2  # noqa: PLC0415 -- the PostgreSQL path only

        try:
            with transaction.atomic():
                cursor.cursor.copy_expert(sql, parsed.body, size=1 << 20)
        except (psycopg2.errors.BadCopyFileFormat, psycopg2.errors.CharacterNotInRepertoire) as exc:
            line = _copy_error_line(exc)
            raise ImportRejected(
                _("Row %(line)s: wrong number of columns.") % {"line": line},
                errors=[{"line": line, "column": "", "reason": reasons()["columns"], "value": ""}],
            ) from None
        cursor.execute(f"SELECT COUNT(*) FROM {STAGING}")
        return cursor.fetchone()[0]
    cursor.execute(f"CREATE TEMP TABLE {STAGING} (line_no INTEGER PRIMARY KEY, {text_columns})")
    rows, bad = [], []
    for line_no, row in enumerate(csv.reader(parsed.body, delimiter=parsed.delimiter), start=2):
        if len(row) != len(FIELDS):
            bad.append({"line": line_no, "column": "", "reason": reasons()["columns"], "value": ""})
            continue
        rows.append((line_no, *row))
    if bad:
        raise ImportRejected(
            _("Row %(line)s: wrong number of columns.") % {"line": bad[0]["line"]},
            errors=bad[:MAX_REPORTED_ERRORS],
            error_count=len(bad),
        )
    placeholders = ", ".join(["%s"] * (len(FIELDS) + 1))
    cursor.executemany(
        f"INSERT INTO {STAGING} (line_no, {', '.join(FIELDS)}) VALUES ({placeholders})", rows
    )
    return len(rows)


def _copy_error_line(exc):
    # PostgreSQL's context reads "COPY costs_usage_staging, line 5: ..." (1 = first data line).
    context = getattr(exc.diag, "context", "") or ""
    try:
        return int(context.split("line ", 1)[1].split(":", 1)[0].split(",", 1)[0]) + 1
    except (IndexError, ValueError):
        return "?"


def _shapes(decimal_char, negative):
    """Every allowed shape of an amount once its digits are written as 9: "", "99",
    "99,9"...: one to ten integer digits and at most two decimals (as AMOUNT_PATTERN, so
    SQLite and PostgreSQL refuse the same cells); a minus sign first where negative
    amounts are allowed."""
    shapes = {""}  # an empty cell is 0
    for digits in range(1, 11):
        for decimals in ("", decimal_char + "9", decimal_char + "99"):
            shapes.add("9" * digits + decimals)
    if negative:
        shapes |= {"-" + shape for shape in shapes if shape}
    return sorted(shapes)


def _shape(expression):
    return f"TRANSLATE({expression}, '0123456789', '9999999999')"


def _in(expression, values):
    return f"{expression} IN ({', '.join(repr(value) for value in values)})"


def _row_check(mode):
    """Whether a staging row is valid, as SQL that PostgreSQL evaluates fast.

    No regular expressions: PostgreSQL's are slow with repetition. Every digit of a value
    is turned into 9 (TRANSLATE) and the resulting shape looked up in the list of allowed
    shapes (a hashed IN list): "+99999999999" for a number (7-15 digits after the +),
    "999999" for the period, and for an amount up to ten integer digits with at most two
    decimals after the file's decimal sign, a leading minus only where negative amounts
    are allowed. The exact limits that shapes cannot express (month 01-12, no country code
    0) are plain comparisons. The per-column reasons of _reason_columns are computed only
    for the rows this refuses.
    """
    decimal_char = {"semicolon": ",", "comma": ".", "xlsx": "."}[mode]
    texts = [name if mode != "xlsx" else f"REPLACE({name}, ',', '.')" for name in CATEGORY_FIELDS]
    checks = [
        _in(_shape("number"), ["+" + "9" * digits for digits in range(7, 16)]),
        "number NOT LIKE '+0%'",
        f"{_shape('period')} = '999999'",
        "SUBSTR(period, 1, 2) = '20'",
        "SUBSTR(period, 5, 2) BETWEEN '01' AND '12'",
    ]
    for name, text in zip(CATEGORY_FIELDS, texts, strict=True):
        checks.append(_in(_shape(text), _shapes(decimal_char, name in NEGATIVE_ALLOWED)))
    return "(" + " AND ".join(f"({check})" for check in checks) + ")"


def _normalise(cursor):
    """Staging text -> NORM: numbers in E.164, periods as YYYYMM, amounts without spaces.
    One scan; each expression is evaluated once per row (OFFSET 0 keeps PostgreSQL from
    folding the inner query back in and repeating the work)."""
    cursor.execute(f"CREATE TEMP TABLE {NORM} AS {_normalised_select()}")


def _normalised_select():
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    bare = ", ".join(f"{_bare_amount(name)} AS {name}" for name in CATEGORY_FIELDS)
    return (
        f"SELECT line_no, "
        f"{_number_sql('number', bare='number_bare')} AS number, period, "
        f"{', '.join(CATEGORY_FIELDS)} FROM (SELECT line_no, "
        f"{_number_bare('number')} AS number_bare, {_period_text()} AS period, {bare} "
        f"FROM {STAGING}{fence}) AS bare"
    )


def _check_and_type(cursor, mode):
    """PostgreSQL: normalise, validate, type and match in one scan of the staging table.

    Each row gets `ok` (the cheap _row_check); the typed columns are computed only for rows
    that pass it, so a bad cell never reaches a CAST. Returns whether every row passed; the
    per-cell reasons of a rejected file are then worked out by _normalise and _validate, on
    the failure path only.
    """
    amounts = ", ".join(
        f"CASE WHEN n.ok THEN {_amount_sql(name, mode)} END AS {name}" for name in CATEGORY_FIELDS
    )
    cursor.execute(
        f"CREATE TEMP TABLE {TYPED} AS "
        f"SELECT n.line_no, n.number, n.ok, CASE WHEN n.ok THEN {_month_sql()} END AS month, "
        f"{amounts}, sub.id AS subscription_id, sub.cost_centre_id "
        f"FROM (SELECT norm.*, {_row_check(mode)} AS ok "
        f"FROM ({_normalised_select()}) AS norm OFFSET 0) AS n "
        f"LEFT JOIN {SUBSCRIPTION_BY_NUMBER} AS sub ON sub.number = n.number"
    )
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TYPED} WHERE ok IS NOT TRUE)")
    return not cursor.fetchone()[0]


# --- The fast path (PostgreSQL) ---------------------------------------------------------


def _plain_amount(decimal_char, negative):
    """An amount as AMOUNT_PATTERN allows it, without spaces: one to ten digits, at most
    two decimals, a minus only where negative amounts are allowed; or empty (0). The
    quantifiers are possessive: nothing is given back, so the scan never backtracks."""
    sign = "-?" if negative else ""
    return f"(?:{sign}[0-9]{{1,10}}+(?:{re.escape(decimal_char)}[0-9]{{1,2}}+)?+)?+"


def plain_pattern(delimiter):
    """The plain shape of a whole file body (after the header) as one regular expression.

    A line is a number (an optional +, then digits, spaces, hyphens, parentheses and
    slashes: no letters, no quotes), a period written YYYY-MM or YYYYMM (20YY, months 01-12),
    and the nine amounts with the file's decimal sign, each line ending in a newline. Every
    body it matches is also accepted, and typed the same, by the thorough path, except
    for numbers that are too short or too long or begin with a country code 0, which only
    SQL can tell once they are in E.164 (_fast_stage checks that).
    """
    decimal_char = "," if delimiter == ";" else "."
    cells = [r"\+?[0-9][0-9 ()/-]*+", "20[0-9]{2}-?(?:0[1-9]|1[0-2])"]
    cells += [_plain_amount(decimal_char, name in NEGATIVE_ALLOWED) for name in CATEGORY_FIELDS]
    return re.compile(f"(?:{re.escape(delimiter).join(cells)}\n)*+")


def _fast_stage(cursor, parsed):
    """Check, type and match a file of the plain shape; returns its row count, or None.

    One compiled regular expression checks the whole body in one C-level scan
    (plain_pattern). A body that matches goes into a staging table with typed amounts
    (semicolon files get decimal points first: after the check a comma can only be a
    decimal sign), so PostgreSQL's COPY parses the numbers and no per-cell SQL runs; the
    scan into TYPED then only normalises the numbers, checks their E.164 length and
    first digit, and matches them to abonnemangsdatabasen. None means the thorough path
    must decide (and name every bad cell): the body is not plain, or a number is invalid.
    """
    text = parsed.body.getvalue()
    if not _timed("plain shape", plain_pattern(parsed.delimiter).fullmatch, text):
        return None
    delimiter = parsed.delimiter
    if delimiter == ";":
        text = text.replace(",", ".")
    if delimiter * 2 in text or delimiter + "\n" in text:
        # An empty amount is 0, as on the thorough path (COPY would read it as NULL). The
        # pattern lets only amounts be empty.
        text = re.sub(f"(?<={re.escape(delimiter)})(?={re.escape(delimiter)}|\n)", "0", text)
    amounts = ", ".join(f"{name} NUMERIC(12, 2)" for name in CATEGORY_FIELDS)
    cursor.execute(f"CREATE TEMP TABLE {STAGING} ({LINE_NO}, number TEXT, period TEXT, {amounts})")
    copy = (
        f"COPY {STAGING} ({', '.join(FIELDS)}) FROM STDIN "
        f"WITH (FORMAT csv, DELIMITER '{delimiter}')"
    )
    _timed("typed staging", cursor.cursor.copy_expert, copy, io.BytesIO(text.encode()), 1 << 20)
    # The pattern let through only digits, separators and one leading + in a number, so
    # the E.164 pattern comes down to its length and the first digit of the country code;
    # and a period is YYYY-MM or YYYYMM, so its month is its last two digits.
    started = time.perf_counter()
    cursor.execute(
        f"CREATE TEMP TABLE {TYPED} AS "
        f"SELECT n.line_no, n.number, "
        f"LENGTH(n.number) BETWEEN 8 AND 16 AND n.number NOT LIKE '+0%' AS ok, n.month, "
        f"{', '.join(CATEGORY_FIELDS)}, sub.id AS subscription_id, sub.cost_centre_id "
        f"FROM (SELECT line_no, {_number_sql('number', bare='bare')} AS number, "
        f"CAST(SUBSTR(period, 1, 4) AS INTEGER) * 12 + CAST(RIGHT(period, 2) AS INTEGER) - 1 "
        f"AS month, {', '.join(CATEGORY_FIELDS)} "
        f"FROM (SELECT *, TRANSLATE(number, ' ()/-', '') AS bare FROM {STAGING} OFFSET 0) AS s "
        f"OFFSET 0) AS n "
        f"LEFT JOIN {SUBSCRIPTION_BY_NUMBER} AS sub ON sub.number = n.number"
    )
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TYPED} WHERE NOT ok)")
    valid = not cursor.fetchone()[0]
    log.debug("usage import: typing and matching took %.2f s", time.perf_counter() - started)
    return text.count("\n") if valid else None


def _validate(cursor, mode):
    """Every bad cell of the staging table, one scan; raises ImportRejected."""
    columns = _reason_columns(mode)
    if connection.vendor == "postgresql":
        any_bad = f"NOT {_row_check(mode)}"
    else:  # SQLite: no SPLIT_PART, and speed matters less; the reasons themselves decide.
        any_bad = " OR ".join(f"{sql} IS NOT NULL" for _name, sql in columns)
    raw = ", ".join(f"s.{name}" for name in FIELDS)
    reason_names = ", ".join(f"bad.r{index}" for index in range(len(columns)))
    reason_sql = ", ".join(f"{sql} AS r{index}" for index, (_n, sql) in enumerate(columns))
    cursor.execute(
        f"SELECT bad.line_no, {reason_names}, {raw} "
        f"FROM (SELECT line_no, {reason_sql} "
        f"FROM {NORM} WHERE {any_bad} ORDER BY line_no LIMIT {MAX_REPORTED_ERRORS + 1}) AS bad "
        f"JOIN {STAGING} s ON s.line_no = bad.line_no ORDER BY bad.line_no"
    )
    rows = cursor.fetchall()
    if not rows:
        return
    texts, errors = reasons(), []
    width = len(columns)
    for row in rows[:MAX_REPORTED_ERRORS]:
        line, codes, values = row[0], row[1 : 1 + width], row[1 + width :]
        found = [
            {"line": line, "column": HEADERS[name], "reason": texts[code], "value": value}
            for (name, _sql), code, value in zip(columns, codes, values, strict=True)
            if code
        ]
        errors += found or [
            {"line": line, "column": "", "reason": texts["invalid_row"], "value": ""}
        ]
    count = len(rows)
    if count > MAX_REPORTED_ERRORS:
        cursor.execute(f"SELECT COUNT(*) FROM {NORM} WHERE {any_bad}")
        count = cursor.fetchone()[0]
    raise ImportRejected(_("The file has errors; nothing was imported."), errors, count)


def _type(cursor, mode):
    """The typed, matched copy of the staging rows (one scan)."""
    amounts = ", ".join(f"{_amount_sql(name, mode)} AS {name}" for name in CATEGORY_FIELDS)
    cursor.execute(
        f"CREATE TEMP TABLE {TYPED} AS "
        f"SELECT s.line_no, s.number, s.month, {', '.join(CATEGORY_FIELDS)}, "
        f"m.id AS subscription_id, sub.cost_centre_id "
        f"FROM (SELECT line_no, number, {_month_sql()} AS month, "
        f"{amounts} FROM {NORM}) AS s "
        f"LEFT JOIN (SELECT number, MAX(id) AS id FROM subscriptions_subscription "
        f"GROUP BY number) AS m ON m.number = s.number "
        f"LEFT JOIN subscriptions_subscription AS sub ON sub.id = m.id"
    )


def _duplicate_errors(cursor, where=""):
    texts = reasons()
    cursor.execute(
        f"SELECT MIN(line_no), MAX(line_no), MIN(number) FROM {TYPED} {where} "
        f"GROUP BY number, month HAVING COUNT(*) > 1 ORDER BY 1 LIMIT {MAX_REPORTED_ERRORS}"
    )
    return [
        {
            "line": last,
            "column": HEADERS["number"],
            "reason": texts["duplicate"] % {"other": first},
            "value": number,
        }
        for first, last, number in cursor.fetchall()
    ]


def _check_duplicates_and_scope(cursor, scope, *, known_numbers=True):
    """Numbers twice in a month, and rows outside the uploader's cost centres.

    With known_numbers=False (PostgreSQL) only the unknown numbers are grouped here: a
    known number twice in a month makes the write itself fail (one row cannot be written
    twice by one INSERT ... ON CONFLICT, nor inserted twice), and _save reports it then.
    That saves a full GROUP BY of the file when it is right, which it mostly is.
    """
    texts = reasons()
    errors = _duplicate_errors(cursor, "" if known_numbers else "WHERE subscription_id IS NULL")
    if scope is not None:
        ids = ", ".join(str(int(pk)) for pk in scope) or "NULL"
        cursor.execute(
            f"SELECT t.line_no, t.number, c.code FROM {TYPED} t "
            f"JOIN costs_costcentre c ON c.id = t.cost_centre_id "
            f"WHERE t.cost_centre_id NOT IN ({ids}) ORDER BY t.line_no "
            f"LIMIT {MAX_REPORTED_ERRORS}"
        )
        for line, number, code in cursor.fetchall():
            errors.append(
                {
                    "line": line,
                    "column": HEADERS["number"],
                    "reason": texts["other_cost_centre"] % {"code": code},
                    "value": number,
                }
            )
    if errors and not known_numbers:
        errors += _duplicate_errors(cursor, "WHERE subscription_id IS NOT NULL")
    if errors:
        errors.sort(key=lambda error: error["line"])
        raise ImportRejected(_("The file has errors; nothing was imported."), errors)


def _unknown(cursor):
    cost = " + ".join(COST_FIELDS)
    cursor.execute(f"SELECT COUNT(*) FROM {TYPED} WHERE subscription_id IS NULL")
    count = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT number, month, {cost} FROM {TYPED} WHERE subscription_id IS NULL "
        f"ORDER BY number, month"
    )
    listed = [
        {
            "number": number,
            "period": f"{month // 12:04d}-{month % 12 + 1:02d}",
            "total": str(Decimal(str(total)).quantize(CENT)),
        }
        for number, month, total in cursor.fetchall()
    ]
    return listed, count


def _months(cursor):
    cursor.execute(f"SELECT DISTINCT month FROM {TYPED} ORDER BY month")
    return [row[0] for row in cursor.fetchall()]


def _period_name(month):
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _scope_sql(scope, alias="r"):
    if scope is None:
        return ""
    return f" AND {alias}.cost_centre_id IN ({', '.join(str(int(pk)) for pk in scope) or 'NULL'})"


def _differs(old, new):
    """SQL: the stored row `old` differs from the file's row `new` (amounts, cost centre)."""
    names = (*CATEGORY_FIELDS, "cost_centre_id")
    return "(" + " OR ".join(f"{old}.{name} <> {new}.{name}" for name in names) + ")"


def _not_in_file(alias="r"):
    return (
        f"NOT EXISTS (SELECT 1 FROM {TYPED} t WHERE t.subscription_id = {alias}.subscription_id "
        f"AND t.month = {alias}.month)"
    )


class _Plan:
    """Which rows of the file's months a load adds, changes, leaves and removes."""

    def __init__(self, cursor, scope, replace_month):
        self.cursor, self.scope, self.replace_month = cursor, scope, replace_month
        self.months = _months(cursor)
        self.periods = [_period_name(month) for month in self.months]
        # By period, not month: the period is indexed (a re-import must not scan the table).
        self.dates = ", ".join(_period_date(int(month)) for month in self.months) or "NULL"
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM costs_usagerecord WHERE period IN ({self.dates}))"
        )
        self.any_stored = bool(cursor.fetchone()[0])

    def removed_where(self):
        """The stored rows a "replace the whole month" removes: the file's months, within
        the uploader's cost centres, whose number the file does not carry."""
        return f"r.period IN ({self.dates}){_scope_sql(self.scope)} AND {_not_in_file()}"

    def centres(self):
        """Per cost centre: {id: [added, changed, unchanged, removed]}."""
        cursor, counts = self.cursor, {}
        if not self.any_stored:  # the usual first import of a month: every row is new
            cursor.execute(
                f"SELECT cost_centre_id, COUNT(*) FROM {TYPED} "
                f"WHERE subscription_id IS NOT NULL GROUP BY cost_centre_id"
            )
            return {centre: [added, 0, 0, 0] for centre, added in cursor.fetchall()}
        differs = _differs("r", "t")
        cursor.execute(
            f"SELECT t.cost_centre_id, "
            f"SUM(CASE WHEN r.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN r.id IS NOT NULL AND {differs} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN r.id IS NOT NULL AND NOT {differs} THEN 1 ELSE 0 END) "
            f"FROM {TYPED} t LEFT JOIN costs_usagerecord r "
            f"ON r.subscription_id = t.subscription_id AND r.period = {_period_date('t.month')} "
            f"WHERE t.subscription_id IS NOT NULL GROUP BY t.cost_centre_id"
        )
        for centre, added, changed, unchanged in cursor.fetchall():
            counts[centre] = [int(added), int(changed), int(unchanged), 0]
        cursor.execute(
            f"SELECT r.cost_centre_id, COUNT(*) FROM costs_usagerecord r "
            f"WHERE {self.removed_where()} GROUP BY r.cost_centre_id"
        )
        for centre, removed in cursor.fetchall():
            counts.setdefault(centre, [0, 0, 0, 0])[3] = int(removed)
        return counts

    def closing_flags(self, flag_content_type_id):
        """The open flags on the rows a "replace the whole month" removes."""
        if not self.any_stored or flag_content_type_id is None:
            return []
        self.cursor.execute(
            f"SELECT f.rule, s.id, s.number, r.month, c.code FROM compliance_flag f "
            f"JOIN costs_usagerecord r ON r.id = f.object_id "
            f"JOIN subscriptions_subscription s ON s.id = r.subscription_id "
            f"JOIN costs_costcentre c ON c.id = r.cost_centre_id "
            f"WHERE f.content_type_id = {int(flag_content_type_id)} AND f.resolved_at IS NULL "
            f"AND {self.removed_where()} ORDER BY c.code, s.number, f.rule"
        )
        return [
            {
                "rule": rule,
                "subscription_id": subscription_id,
                "number": number,
                "period": _period_name(month),
                "cost_centre": code,
            }
            for rule, subscription_id, number, month, code in self.cursor.fetchall()
        ]

    def keep_replaced(self, import_id):
        """Copy the stored rows this load changes or removes, as they are, so that the
        import can be undone (UsageImport undo: they come back with their explanations)."""
        if not self.any_stored or import_id is None:
            return
        kept = (
            "subscription_id, cost_centre_id, period, month, "
            f"{', '.join(CATEGORY_FIELDS)}, total, traffic, explained_at, explained_by_id, "
            "explanation"
        )
        changed = (
            f"EXISTS (SELECT 1 FROM {TYPED} t WHERE t.subscription_id = r.subscription_id "
            f"AND t.month = r.month AND {_differs('r', 't')})"
        )
        removed = f" OR (1 = 1{_scope_sql(self.scope)} AND {_not_in_file()})"
        self.cursor.execute(
            f"INSERT INTO costs_replacedusagerecord (replaced_by_id, record_id, "
            f"previous_import_id, {kept}) "
            f"SELECT {int(import_id)}, r.id, r.usage_import_id, "
            f"{', '.join(f'r.{name}' for name in kept.split(', '))} "
            f"FROM costs_usagerecord r WHERE r.period IN ({self.dates}) "
            f"AND ({changed}{removed if self.replace_month else ''})"
        )


def _save(cursor, import_id, plan):
    """Write the file's rows: new ones inserted, changed ones updated, unchanged ones left
    as they are. Rows of the month that the file does not carry stay, unless the uploader
    chose to replace the whole month (plan.replace_month): then they are removed, within
    the uploader's cost centres only."""
    if plan.replace_month:
        cursor.execute(
            f"DELETE FROM costs_usagerecord WHERE id IN "
            f"(SELECT r.id FROM costs_usagerecord r WHERE {plan.removed_where()})"
        )
    amounts = ", ".join(CATEGORY_FIELDS)
    import_sql = "NULL" if import_id is None else str(int(import_id))
    updates = ", ".join(
        f"{name} = excluded.{name}"
        for name in (*CATEGORY_FIELDS, "total", "traffic", "cost_centre_id", "usage_import_id")
    )
    # In the order of the unique index: its pages are then filled one after the other.
    order = " ORDER BY subscription_id, month" if connection.vendor == "postgresql" else ""
    insert = (
        f"INSERT INTO costs_usagerecord (subscription_id, cost_centre_id, period, month, "
        f"usage_import_id, {amounts}, total, traffic, explanation) "
        f"SELECT subscription_id, cost_centre_id, {_period_date('month')}, month, {import_sql}, "
        f"{amounts}, "
        f"{' + '.join(COST_FIELDS)}, {' + '.join(TRAFFIC_FIELDS)}, '' "
        f"FROM {TYPED} WHERE subscription_id IS NOT NULL{order}"
    )
    # An unchanged row is not written: it keeps the import that wrote it, and undoing this
    # import leaves it alone.
    upsert = (
        f"{insert} ON CONFLICT (subscription_id, period) DO UPDATE SET {updates} "
        f"WHERE {_differs('costs_usagerecord', 'excluded')}"
    )
    if connection.vendor != "postgresql":
        cursor.execute(upsert)
        return

    import psycopg2  # noqa: PLC0415 -- the PostgreSQL path only

    # The foreign keys are checked when the caller's transaction commits, one query per
    # row and key (PostgreSQL 15 has no set-based check): about as long as this write
    # (bench_costs). A subscription deleted since _fast_stage/_type matched it fails that
    # commit with IntegrityError, and nothing is written. A re-import's UPDATE of a row
    # whose references stay the same is not checked again.
    # A month imported for the first time (the usual case) has nothing to conflict with:
    # a plain INSERT then does one probe of the unique index per row where ON CONFLICT
    # does two (bench_costs: a fifth of the upsert). Should a row be there after all (a
    # known number twice in the file, or another import of the month at the same time),
    # the INSERT fails and the upsert decides.
    if not plan.any_stored:
        try:
            with transaction.atomic():
                cursor.execute(insert)
        except IntegrityError as error:
            if not isinstance(error.__cause__, psycopg2.errors.UniqueViolation):
                raise
        else:
            return
    try:
        with transaction.atomic():
            cursor.execute(upsert)
    except ProgrammingError as error:
        if not isinstance(error.__cause__, psycopg2.errors.CardinalityViolation):
            raise
        # A known number twice in one month (see _check_duplicates_and_scope).
        raise ImportRejected(
            _("The file has errors; nothing was imported."), _duplicate_errors(cursor)
        ) from None


def _centre_rows(cursor, counts):
    """The per-cost-centre counts with each centre's code and name, by code."""
    if not counts:
        return []
    ids = ", ".join(str(int(pk)) for pk in counts)
    cursor.execute(f"SELECT id, code, name FROM costs_costcentre WHERE id IN ({ids})")
    rows = [
        {
            "id": pk,
            "code": code,
            "name": name,
            **dict(zip(("added", "changed", "unchanged", "removed"), counts[pk], strict=True)),
        }
        for pk, code, name in cursor.fetchall()
    ]
    return sorted(rows, key=lambda row: row["code"])


def _timed(label, function, *args, **kwargs):
    started = time.perf_counter()
    try:
        return function(*args, **kwargs)
    finally:
        log.debug("usage import: %s took %.2f s", label, time.perf_counter() - started)


def load_usage(
    *,
    content,
    import_id=None,
    scope=None,
    replace_month=False,
    dry_run=False,
    flag_content_type_id=None,
    progress=lambda percent: None,
):
    """Validate and load one file; returns LoadResult or raises ImportRejected.

    `scope` is None (every cost centre: Tele kundtjänst) or the ids of the cost centres the
    uploader answers for; a row of another cost centre rejects the file. The file replaces
    the (number, month) rows it carries and no other, unless `replace_month`: then the
    rows of its months that it does not carry are removed too (within `scope`). With
    `dry_run` nothing is written: the result says what the load would do (the preview).
    A file in which no number is known is refused. With `import_id`, every stored row the
    load changes or removes is kept (ReplacedUsageRecord) so the import can be undone.
    """
    parsed = parse_file(content)
    progress(10)
    try:
        with connection.cursor() as cursor:
            return _load(
                cursor,
                parsed,
                import_id=import_id,
                scope=scope,
                replace_month=replace_month,
                dry_run=dry_run,
                flag_content_type_id=flag_content_type_id,
                progress=progress,
            )
    except ImportRejected as rejected:
        rejected.encoding = parsed.encoding
        raise


def _load(
    cursor, parsed, *, import_id, scope, replace_month, dry_run, flag_content_type_id, progress
):
    _drop_staging(cursor)
    try:
        if connection.vendor == "postgresql":
            row_count = _timed("fast path", _fast_stage, cursor, parsed)
            if row_count is None:  # not plain: the thorough path decides
                _drop_staging(cursor)
                row_count = _timed("staging", _stage, cursor, parsed)
                progress(35)
                if not _timed("checking and typing", _check_and_type, cursor, parsed.mode):
                    # Rejected: the reasons, cell by cell (the slower, thorough way).
                    _normalise(cursor)
                    _validate(cursor, parsed.mode)
            progress(55)
            cursor.execute(f"ANALYZE {TYPED}")
        else:
            row_count = _timed("staging", _stage, cursor, parsed)
            progress(35)
            _timed("normalising", _normalise, cursor)
            _timed("validation", _validate, cursor, parsed.mode)
            progress(55)
            _timed("typing", _type, cursor, parsed.mode)
        _timed(
            "duplicates",
            _check_duplicates_and_scope,
            cursor,
            scope,
            known_numbers=connection.vendor != "postgresql",
        )
        unknown, unknown_count = _timed("unknown", _unknown, cursor)
        if unknown_count >= row_count:
            raise ImportRejected(
                _(
                    "None of the file's numbers is in the subscription database; nothing "
                    "was imported. Register the subscriptions, or check that this is the "
                    "operator's file for this municipality."
                ),
                unknown_numbers=unknown,
            )
        progress(70)
        plan = _Plan(cursor, scope, replace_month)
        counts = _timed("counting", plan.centres)
        if not replace_month:
            for centre in counts.values():
                centre[3] = 0
        result = LoadResult(
            row_count=row_count,
            periods=plan.periods,
            unknown_numbers=unknown,
            unknown_count=unknown_count,
            encoding=parsed.encoding,
            added=sum(centre[0] for centre in counts.values()),
            changed=sum(centre[1] for centre in counts.values()),
            unchanged=sum(centre[2] for centre in counts.values()),
            removed=sum(centre[3] for centre in counts.values()),
            centres=_centre_rows(cursor, counts),
            closing_flags=plan.closing_flags(flag_content_type_id) if replace_month else [],
        )
        if dry_run:
            return result
        started = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Losing the last moments of an import in a crash is harmless (the file
                # is kept and can be imported again); waiting for the WAL flush is not.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute("SET LOCAL work_mem TO '256MB'")
            _timed("keeping the replaced rows", plan.keep_replaced, import_id)
            _timed("writing", _save, cursor, import_id, plan)
        elapsed = time.perf_counter() - started
        log.debug("usage import: writing with commit took %.2f s", elapsed)
        if connection.vendor == "postgresql":
            # Fresh statistics for the sweep that follows: after a large import the
            # planner would otherwise think the table is as small as it was before.
            _timed("analyze", cursor.execute, "ANALYZE costs_usagerecord")
        progress(90)
        return result
    finally:
        _drop_staging(cursor)
