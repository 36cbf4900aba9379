"""Issue 16, points 1 and 2: a usage import never destroys what it does not carry, can be
undone, and always ends, whatever the bytes (COST-1). Each test is a complaint."""

import io
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.models import Flag
from compliance.rules import RULES
from costs import selectors, services, tasks
from costs.choices import CATEGORY_FIELDS, IMPORT_ENDED, ImportStatus
from costs.models import ReplacedUsageRecord, StatementRequest, UsageImport, UsageRecord
from tests.conftest import statuses
from tests.costs.conftest import HEADER, csv_file, row, usage

SAMPLE = Path(__file__).resolve().parents[2] / "costs" / "samples" / "usage-2026-10.csv"
STORED = ("pk", "cost_centre_id", *CATEGORY_FIELDS, "total", "explanation", "explained_by_id")


def _upload(world, content, *, who="budgetchef", replace_month=False, name="nov.csv"):
    """Upload as `who` and run the task as the worker would (on_commit is not run here)."""
    usage_import = services.usage_import_create(
        actor=world.people[who].user, file_name=name, content=content, replace_month=replace_month
    )
    services.usage_import_run(import_id=usage_import.pk)
    usage_import.refresh_from_db()
    return usage_import


def _stored():
    return sorted(UsageRecord.objects.values_list(*STORED))


def _open_rules(record):
    return sorted(
        Flag.objects.filter(object_id=record.pk, resolved_at__isnull=True).values_list(
            "rule", flat=True
        )
    )


def _november_total(world):
    [month] = [
        month
        for month in selectors.monthly_totals([world.cost_centre])
        if f"{month['period']:%Y-%m}" == "2026-11"
    ]
    return month["total"]


@pytest.fixture
def november(world, phones):
    """The budget manager's November: 32 193,44 kr on three phones, Bo's premium-rate
    call flagged (BAR-1) and the fixed line's cost explained; and the library's phone,
    another cost centre's."""
    rows = {
        "anna": usage(phones.anna, "2026-11", domestic="31800"),
        "bo": usage(phones.bo, "2026-11", premium="29"),
        "fixed": usage(phones.fixed, "2026-11", domestic="64.44"),
        "library": usage(phones.library, "2026-11", domestic="10"),
    }
    services.sweep_costs()
    services.usage_record_explain(
        actor=world.people["budgetchef"].user, record=rows["fixed"], reason="Konferensveckan"
    )
    assert _open_rules(rows["bo"]) == ["BAR-1"]
    return rows


ANNA_ONLY = csv_file(row("070-123 45 67", "2026-11", domestic="137,31"))


# --- Point 1: imports never destroy what they do not carry ------------------------------


def test_the_one_row_file_that_wiped_november(world, november):
    assert _november_total(world) == Decimal("32193.44")
    usage_import = _upload(world, ANNA_ONLY)
    assert usage_import.status == ImportStatus.DONE
    # Only Anna's row was in the file: Bo's and the fixed line's November stay.
    assert _november_total(world) == Decimal("237.31") + Decimal("129") + Decimal("164.44")
    assert _open_rules(november["bo"]) == ["BAR-1"]
    fixed = UsageRecord.objects.get(pk=november["fixed"].pk)
    assert fixed.explanation == "Konferensveckan" and fixed.explained_at is not None
    counts = (
        usage_import.added_count,
        usage_import.replaced_count,
        usage_import.unchanged_count,
        usage_import.removed_count,
        usage_import.unknown_count,
    )
    assert counts == (0, 1, 0, 0, 0)


def test_importing_the_same_file_twice_leaves_every_row_unchanged(world, november):
    first = _upload(world, ANNA_ONLY)
    second = _upload(world, ANNA_ONLY)
    assert (second.replaced_count, second.unchanged_count) == (0, 1)
    # The unchanged row still belongs to the first import: undoing the second is a no-op.
    assert UsageRecord.objects.get(pk=november["anna"].pk).usage_import_id == first.pk


def test_replacing_the_whole_month_is_shown_first_and_nothing_is_written_before(world, november):
    before = _stored()
    usage_import = _upload(world, ANNA_ONLY, replace_month=True)
    assert usage_import.status == ImportStatus.PREVIEW
    assert _stored() == before
    # Per cost centre, only the budget manager's own: the library's row is not hers.
    assert [
        (centre["code"], centre["added"], centre["changed"], centre["unchanged"], centre["removed"])
        for centre in usage_import.centres
    ] == [(world.cost_centre.code, 0, 1, 0, 2)]
    assert usage_import.closing_flags == [
        {
            "rule": "BAR-1",
            "subscription_id": november["bo"].subscription_id,
            "number": "+46707654321",
            "period": "2026-11",
            "cost_centre": world.cost_centre.code,
        }
    ]
    services.usage_import_decide(
        actor=world.people["budgetchef"].user, usage_import=usage_import, decision="replace"
    )
    assert services.usage_import_run(import_id=usage_import.pk) == ImportStatus.DONE
    assert set(UsageRecord.objects.values_list("subscription__number", flat=True)) == {
        "+46701234567",
        "+46709999999",  # the library's November: another cost centre, untouched
    }
    assert _open_rules(november["bo"]) == []  # its flag closed with the row


def test_the_preview_offers_the_safe_choice_too(world, november):
    usage_import = _upload(world, ANNA_ONLY, replace_month=True)
    services.usage_import_decide(
        actor=world.people["budgetchef"].user, usage_import=usage_import, decision="merge"
    )
    services.usage_import_run(import_id=usage_import.pk)
    usage_import.refresh_from_db()
    assert (usage_import.status, usage_import.removed_count) == (ImportStatus.DONE, 0)
    assert UsageRecord.objects.filter(period="2026-11-01").count() == 4


def test_a_cancelled_preview_writes_nothing_and_has_ended(world, november):
    before = _stored()
    usage_import = _upload(world, ANNA_ONLY, replace_month=True)
    services.usage_import_decide(
        actor=world.people["budgetchef"].user, usage_import=usage_import, decision="cancel"
    )
    usage_import.refresh_from_db()
    assert usage_import.status == ImportStatus.CANCELLED and usage_import.is_finished
    assert _stored() == before
    with pytest.raises(ValidationError):
        services.usage_import_decide(
            actor=world.people["budgetchef"].user, usage_import=usage_import, decision="replace"
        )


def test_the_latin1_sample_with_three_unknown_numbers(world, phones):
    """The repository's sample saved as Latin-1, its numbers unknown here: it used to say
    "3 rader importerades" and leave the month empty."""
    for subscription in (phones.anna, phones.bo, phones.fixed):
        usage(subscription, "2026-10", domestic="207")
    before = _stored()
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("019-21 10 00", "019-99 99 01").replace("070-123 45 67", "070-111 11 11")
    text = text.replace("070-765 43 21", "070-222 22 22")
    usage_import = _upload(world, text.encode("latin-1"), who="telekundtjanst")
    assert usage_import.status == ImportStatus.REJECTED and usage_import.is_finished
    assert usage_import.encoding == "Windows-1252"
    assert "Inget av filens nummer finns i abonnemangsdatabasen" in usage_import.errors[0]["reason"]
    assert usage_import.unknown_count == 3
    assert {item["number"] for item in usage_import.unknown_numbers} == {
        "+4619999901",
        "+46701111111",
        "+46702222222",
    }
    assert _stored() == before


# --- "Ångra importen" -------------------------------------------------------------------


def test_undo_brings_back_exactly_what_the_replace_removed_with_its_explanation(world, november):
    before = _stored()
    usage_import = _upload(world, ANNA_ONLY, replace_month=True)
    services.usage_import_decide(
        actor=world.people["budgetchef"].user, usage_import=usage_import, decision="replace"
    )
    services.usage_import_run(import_id=usage_import.pk)
    assert UsageRecord.objects.filter(period="2026-11-01").count() == 2
    services.usage_import_undo(actor=world.people["budgetchef"].user, usage_import=usage_import)
    assert _stored() == before  # same ids, amounts, cost centres and explanations
    usage_import.refresh_from_db()
    assert usage_import.status == ImportStatus.UNDONE and usage_import.undone_at is not None
    assert not ReplacedUsageRecord.objects.exists()
    assert _open_rules(november["bo"]) == ["BAR-1"]  # the row is back, and so is its flag


def test_undo_of_a_first_import_removes_the_rows_it_added(world, phones):
    usage_import = _upload(world, SAMPLE.read_bytes(), who="telekundtjanst")
    assert usage_import.added_count == 3
    services.usage_import_undo(actor=world.people["telekundtjanst"].user, usage_import=usage_import)
    assert not UsageRecord.objects.exists()


def test_undo_is_refused_once_a_later_import_of_the_month_exists(world, november):
    before = _stored()
    first = _upload(world, ANNA_ONLY)
    second = _upload(world, csv_file(row("070-123 45 67", "2026-11", domestic="1,00")))
    with pytest.raises(ValidationError, match="senare import"):
        services.usage_import_undo(actor=world.people["budgetchef"].user, usage_import=first)
    services.usage_import_undo(actor=world.people["budgetchef"].user, usage_import=second)
    services.usage_import_undo(actor=world.people["budgetchef"].user, usage_import=first)
    assert _stored() == before
    with pytest.raises(ValidationError):  # undone already
        services.usage_import_undo(actor=world.people["budgetchef"].user, usage_import=first)


# --- Point 2: every import ends, whatever the bytes ------------------------------------


def _xlsx_bytes():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for index in range(300):
        sheet.append([f"070-1{index:06d}", "2026-10", 100, 0, 0, 0, 0, 0, 0, 0, 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
BYTES = {
    "nul-bytes": (csv_file(row("070-123 45\x0067", "2026-10")), "rejected", "NUL"),
    "invalid-utf-8": (HEADER.encode() + b"\n070\x81\x8d;2026-10\n", "rejected", "UTF-8"),
    "utf-16-with-bom": (SAMPLE_TEXT.encode("utf-16"), "done", "UTF-16"),
    "utf-16-without-bom": (SAMPLE_TEXT.encode("utf-16-be"), "done", "UTF-16"),
    "windows-1252": (SAMPLE_TEXT.encode("cp1252"), "done", "Windows-1252"),
    "truncated-xlsx": (_xlsx_bytes()[:3000], "rejected", "XLSX"),
    "binary": (random.Random(16).randbytes(5000), "rejected", ""),
}


@pytest.mark.parametrize("content, expected, named", BYTES.values(), ids=BYTES.keys())
def test_every_import_ends_whatever_its_bytes(world, phones, content, expected, named):
    usage_import = _upload(world, content, who="telekundtjanst")
    assert usage_import.status == expected and usage_import.is_finished
    text = " ".join(
        [usage_import.encoding, *(str(error["reason"]) for error in usage_import.errors)]
    )
    assert named in text
    if expected == "done":
        assert usage_import.encoding == named and UsageRecord.objects.count() == 3
    else:
        assert not UsageRecord.objects.exists()


def test_a_utf16_file_leaves_nothing_running(redis_worker, finished, world, phones):
    user = world.people["telekundtjanst"].user
    good = services.usage_import_create(
        actor=user, file_name="unicode.txt", content=SAMPLE_TEXT.encode("utf-16")
    )
    bad = services.usage_import_create(
        actor=user, file_name="binar.csv", content=b"\xff\xfe\x00\x00" + bytes(range(256)) * 8
    )
    from tests.services import wait_for

    assert wait_for(lambda: finished.count(tasks.run_usage_import.name) == 2)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, good.encoding) == (ImportStatus.DONE, "UTF-16")
    assert bad.status == ImportStatus.REJECTED and bad.errors[0]["reason"]
    assert not UsageImport.objects.exclude(status__in=IMPORT_ENDED).exists()


def test_a_technical_fault_fails_the_import_with_a_swedish_reason_and_tells_the_uploader(
    world, phones, monkeypatch, django_capture_on_commit_callbacks, matrix_client
):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "load_usage", broken)
    with django_capture_on_commit_callbacks(execute=True):
        usage_import = _upload(world, SAMPLE.read_bytes())
    assert usage_import.status == ImportStatus.FAILED
    assert "tekniskt fel" in usage_import.failure
    [message] = mail.outbox
    assert message.to == [world.people["budgetchef"].email]
    assert "nov.csv" in message.subject and "tekniskt fel" in message.body
    page = matrix_client("budgetchef").get(usage_import.get_absolute_url()).content.decode()
    assert "Importen misslyckades; ingenting importerades." in page
    assert usage_import.failure in page


# --- The sweep: no import stays pending or running --------------------------------------


def _aged(usage_import, minutes, **fields):
    UsageImport.objects.filter(pk=usage_import.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes), **fields
    )


def test_the_worker_died_mid_import_and_the_sweep_runs_it_again_once_then_fails_it(
    world, phones, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(services, "queue", lambda name, **kwargs: queued.append(kwargs) or True)
    user = world.people["budgetchef"].user
    died = services.usage_import_create(actor=user, file_name="dog.csv", content=b"x")
    busy = services.usage_import_create(actor=user, file_name="pagar.csv", content=b"x")
    _aged(died, 31, status=ImportStatus.RUNNING, progress=35)
    _aged(busy, 5, status=ImportStatus.RUNNING, progress=35)
    assert services.sweep_stuck_imports() == 1
    died.refresh_from_db()
    busy.refresh_from_db()
    assert (died.status, died.requeued, queued) == ("pending", 1, [{"import_id": died.pk}])
    assert busy.status == ImportStatus.RUNNING  # still moving: left alone
    # The second run's worker dies too: the import fails and the uploader is told.
    _aged(died, 31, status=ImportStatus.RUNNING, progress=35)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_stuck_imports() == 1
    died.refresh_from_db()
    assert died.status == ImportStatus.FAILED and "stannade" in died.failure
    [message] = mail.outbox
    assert message.to == [world.people["budgetchef"].email] and "dog.csv" in message.subject
    # A second sweep changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_stuck_imports() == 0 and tasks.sweep_stuck_imports() == 0
    assert len(mail.outbox) == 1 and len(queued) == 1


def test_a_task_the_broker_lost_is_requeued_once_then_failed(
    world, phones, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(services, "queue", lambda name, **kwargs: queued.append(kwargs) or False)
    usage_import = services.usage_import_create(
        actor=world.people["budgetchef"].user, file_name="okt.csv", content=SAMPLE.read_bytes()
    )
    assert services.sweep_stuck_imports() == 0  # just uploaded: the worker may be busy
    _aged(usage_import, 6)
    assert services.sweep_stuck_imports() == 1
    assert queued == [{"import_id": usage_import.pk}]
    assert services.sweep_stuck_imports() == 0 and len(queued) == 1  # once
    _aged(usage_import, 31)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_stuck_imports() == 1
    usage_import.refresh_from_db()
    assert usage_import.status == ImportStatus.FAILED and "startade aldrig" in usage_import.failure
    assert len(mail.outbox) == 1 and len(queued) == 1


def test_a_task_that_arrives_twice_runs_once(world, phones):
    usage_import = services.usage_import_create(
        actor=world.people["telekundtjanst"].user, file_name="okt.csv", content=SAMPLE.read_bytes()
    )
    # Another delivery of the task claimed it first: this one does nothing at all.
    UsageImport.objects.filter(pk=usage_import.pk).update(status=ImportStatus.RUNNING)
    assert tasks.run_usage_import(import_id=usage_import.pk) is None
    assert not UsageRecord.objects.exists()
    UsageImport.objects.filter(pk=usage_import.pk).update(status=ImportStatus.PENDING)
    assert tasks.run_usage_import(import_id=usage_import.pk) == ImportStatus.DONE
    assert tasks.run_usage_import(import_id=usage_import.pk) is None
    assert UsageRecord.objects.count() == 3


def test_an_upload_the_broker_refused_is_requeued_by_the_sweep_and_runs_once(
    redis_worker, finished, world, phones
):
    from tests.services import celery_broker, wait_for

    with celery_broker("redis://127.0.0.1:1/0"):  # nothing listens there: the broker is down
        usage_import = services.usage_import_create(
            actor=world.people["telekundtjanst"].user,
            file_name="okt.csv",
            content=SAMPLE.read_bytes(),
        )
    usage_import.refresh_from_db()
    assert usage_import.status == ImportStatus.PENDING
    _aged(usage_import, 6)
    assert tasks.sweep_stuck_imports() == 1
    assert wait_for(lambda: tasks.run_usage_import.name in finished)
    usage_import.refresh_from_db()
    assert usage_import.status == ImportStatus.DONE and UsageRecord.objects.count() == 3
    # The first message turning up after all changes nothing.
    tasks.run_usage_import.delay(import_id=usage_import.pk)
    assert wait_for(lambda: finished.count(tasks.run_usage_import.name) == 2)
    assert UsageRecord.objects.count() == 3


def test_the_stuck_import_sweep_is_in_the_beat_schedule():
    from telefoni.celery import app

    app.finalize()
    assert "costs.tasks.sweep_stuck_imports" in {
        entry["task"] for entry in app.conf.beat_schedule.values()
    }


# --- Itemised-statement call lists end too ---------------------------------------------


def _calls_text():
    from tests.costs.test_statements import CALLS

    return CALLS.decode()


CALL_BYTES = {
    "nul-bytes": (lambda: _calls_text().replace("118 118", "118\x00118").encode(), "NUL"),
    "invalid": (lambda: _calls_text().encode("cp1252") + b"\x81\x8d\n", "UTF-8"),
    "utf-16": (lambda: _calls_text().encode("utf-16"), None),
    "windows-1252": (lambda: _calls_text().encode("cp1252"), None),
    "binary": (lambda: random.Random(3).randbytes(4000), ""),
}


@pytest.mark.parametrize("make, refused", CALL_BYTES.values(), ids=CALL_BYTES.keys())
def test_every_call_list_ends_whatever_its_bytes(world, phones, make, refused):
    from costs.importer import ImportRejected
    from tests.costs.test_statements import LAST_MONTH

    statement = services.statement_request_create(
        actor=world.people["budgetchef"].user,
        subscription=phones.anna,
        period=LAST_MONTH,
        grounds="Misstänkt missbruk",
    )
    approve = {
        "actor": world.people["telekundtjanst"].user,
        "statement": statement,
        "file_name": "samtal.csv",
        "content": make(),
    }
    if refused is None:
        assert services.statement_approve(**approve).call_count == 3
        return
    with pytest.raises(ImportRejected) as caught:
        services.statement_approve(**approve)
    report = " ".join([caught.value.message, *(e["reason"] for e in caught.value.errors)])
    assert refused in report
    statement.refresh_from_db()
    assert statement.status == "pending" and not statement.calls.exists()
    assert StatementRequest.objects.count() == 1


# --- The pages --------------------------------------------------------------------------


@pytest.fixture
def done_import(world, phones):
    many = [row(f"070-1{index:06d}", "2026-10") for index in range(600)]
    return _upload(world, csv_file(row("070-123 45 67", "2026-10"), *many))


SEES_IMPORT = {"budgetchef": 200, "telekundtjanst": 200, "admin": 200}


@pytest.mark.parametrize("who, status", statuses(404, **SEES_IMPORT).items())
def test_the_result_page_counts_every_kind_of_row(matrix_client, done_import, who, status):
    response = matrix_client(who).get(done_import.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        for text in ("1 ny rad", "0 ersatta rader", "0 oförändrade rader", "0 borttagna rader"):
            assert text in page
        unknown = page.count('<td><span class="nowrap">070-100 ')
        assert "600 okända nummer" in page and unknown == 600
        assert 'Läst som: <strong id="import-encoding">UTF-8</strong>' in page
        assert "Ångra importen" in page


@pytest.mark.parametrize("who, status", statuses(404, **SEES_IMPORT).items())
def test_the_unknown_numbers_download_in_full(matrix_client, done_import, who, status):
    url = reverse("costs:usage_import_unknown_csv", args=[done_import.pk])
    response = matrix_client(who).get(url)
    assert response.status_code == status
    if status == 200:
        lines = response.content.decode("utf-8-sig").splitlines()
        assert len(lines) == 601 and lines[1] == "070-100 00 00;2026-10;100,00"


@pytest.mark.parametrize(
    "who, status", statuses(404, budgetchef=302, telekundtjanst=302, admin=302).items()
)
def test_undoing_from_the_page(matrix_client, done_import, who, status):
    url = reverse("costs:usage_import_undo", args=[done_import.pk])
    response = matrix_client(who).post(url)
    assert response.status_code == status
    done_import.refresh_from_db()
    undone = status == 302 and who != "anonymous"
    assert (done_import.status == ImportStatus.UNDONE) is undone
    assert UsageRecord.objects.exists() is not undone


@pytest.fixture
def preview_import(world, november):
    return _upload(world, ANNA_ONLY, replace_month=True)


@pytest.mark.parametrize(
    "who, status", statuses(404, budgetchef=302, telekundtjanst=403, admin=403).items()
)
def test_deciding_a_preview_is_the_uploaders(
    matrix_client, preview_import, who, status, django_capture_on_commit_callbacks
):
    url = reverse("costs:usage_import_decide", args=[preview_import.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = matrix_client(who).post(url, {"decision": "replace"})
    assert response.status_code == status
    preview_import.refresh_from_db()
    decided = status == 302 and who != "anonymous"
    assert (preview_import.status == ImportStatus.PENDING) is decided
    assert len(callbacks) == (1 if decided else 0)


def test_the_preview_page_shows_the_counts_the_flags_and_the_choices(
    matrix_client, preview_import, world
):
    page = matrix_client("budgetchef").get(preview_import.get_absolute_url()).content.decode()
    assert "Inget har skrivits ännu" in page
    bar_1 = str(RULES["BAR-1"].title)  # in words (19.6)
    assert "2 borttagna rader" in page and bar_1 in page and "070-765 43 21" in page
    assert 'value="merge"' in page and 'value="replace"' in page
    page = matrix_client("telekundtjanst").get(preview_import.get_absolute_url()).content.decode()
    assert 'value="replace"' not in page  # only the uploader decides
    # The progress poll stops and reloads the page to show the preview.
    status = matrix_client("budgetchef").get(
        reverse("costs:usage_import_status", args=[preview_import.pk])
    )
    assert status.json()["finished"] is True and status.json()["status"] == "preview"


def test_the_upload_form_defaults_to_the_safe_import(matrix_client, world, phones):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = matrix_client("budgetchef")
    page = client.get(reverse("costs:usage_import_list")).content.decode()
    assert 'name="replace_month"' in page and "checked" not in page
    upload = SimpleUploadedFile("nov.csv", ANNA_ONLY)
    client.post(reverse("costs:usage_import_list"), {"file": upload})
    assert UsageImport.objects.get().replace_month is False


def test_a_call_list_with_nul_bytes_is_refused_on_the_page_with_its_encoding(
    matrix_client, world, phones
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.costs.test_statements import CALLS, LAST_MONTH

    statement = services.statement_request_create(
        actor=world.people["budgetchef"].user,
        subscription=phones.anna,
        period=LAST_MONTH,
        grounds="Misstänkt missbruk",
    )
    upload = SimpleUploadedFile("samtal.csv", CALLS.decode().encode("cp1252") + b"\x00;\n")
    response = matrix_client("telekundtjanst").post(
        reverse("costs:statement_approve", args=[statement.pk]), {"file": upload}
    )
    assert response.status_code == 200 and "NUL-tecken" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == "pending"
    upload = SimpleUploadedFile("samtal.csv", CALLS.decode().encode("cp1252") + b"2026;x\n")
    page = matrix_client("telekundtjanst").post(
        reverse("costs:statement_approve", args=[statement.pk]), {"file": upload}
    )
    assert "Läst som: <strong>Windows-1252</strong>" in page.content.decode()


def test_a_protected_persons_phone_in_the_preview_shows_only_inside_the_circle(
    matrix_client, preview_import, phones
):
    holder = phones.bo.holder
    holder.protected_identity = True
    holder.save()
    page = matrix_client("budgetchef").get(preview_import.get_absolute_url()).content.decode()
    bar_1 = str(RULES["BAR-1"].title)
    assert bar_1 in page and "Skyddad identitet" in page and "070-765 43 21" not in page
    page = matrix_client("telekundtjanst").get(preview_import.get_absolute_url()).content.decode()
    assert "070-765 43 21" in page
