"""The import and the cost sweep through a real Celery worker on Redis."""

from django.core import mail

from compliance.models import Flag
from costs import services, tasks
from costs.models import UsageImport, UsageRecord
from tests.costs.conftest import csv_file, row, usage
from tests.services import outbox_drained, wait_for


def test_an_upload_is_imported_and_swept_by_the_worker_twice_without_a_second_mail(
    redis_worker, finished, world, phones
):
    for month in range(4, 10):
        usage(phones.anna, f"2026-{month:02d}", domestic=50)
    content = csv_file(row("070-123 45 67", "2026-10", roaming="2 400,00"))
    usage_import = services.usage_import_create(
        actor=world.people["budgetchef"].user, file_name="okt.csv", content=content
    )
    assert wait_for(lambda: tasks.run_usage_import.name in finished)
    assert outbox_drained()
    usage_import.refresh_from_db()
    assert usage_import.status == "done" and usage_import.progress == 100
    october = UsageRecord.objects.get(subscription=phones.anna, period="2026-10-01")
    # 2 550 kr against a median of 150 kr, and roaming with no trip registered.
    assert set(Flag.objects.filter(object_id=october.pk).values_list("rule", flat=True)) == {
        "COST-2",
        "COST-5",
    }
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {world.people["budgetchef"].email}

    tasks.sweep_costs.delay()
    assert wait_for(lambda: tasks.sweep_costs.name in finished)
    assert outbox_drained()
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 2
    assert len(mail.outbox) == 2
    assert UsageImport.objects.count() == 1


def test_cost_3_call_detail_retention_runs_in_the_worker_and_twice_changes_nothing(
    redis_worker, finished, world, phones, set_guideline
):
    from datetime import timedelta

    from django.utils import timezone

    from costs.models import CallDetail, StatementRequest
    from tests.costs.test_statements import CALLS, LAST_MONTH

    set_guideline(call_detail_retention_days=30)
    statement = services.statement_request_create(
        actor=world.people["budgetchef"].user,
        subscription=phones.anna,
        period=LAST_MONTH,
        grounds="Misstänkt missbruk",
    )
    # Each service's e-mail is drained by the worker as soon as it commits: wait for it
    # before writing again (SQLite's shared in-memory database refuses a second writer at
    # once, "database table is locked", instead of waiting).
    assert outbox_drained()
    services.statement_approve(
        actor=world.people["telekundtjanst"].user,
        statement=statement,
        file_name="samtal.csv",
        content=CALLS,
    )
    assert outbox_drained()
    old = timezone.now() - timedelta(days=31)
    CallDetail.objects.update(imported_at=old)
    StatementRequest.objects.update(content_imported_at=old)
    tasks.purge_call_details.delay()
    assert wait_for(lambda: tasks.purge_call_details.name in finished)
    assert outbox_drained()
    assert not CallDetail.objects.exists()
    statement.refresh_from_db()
    assert statement.content_deleted_at is not None and statement.grounds == "Misstänkt missbruk"
    assert tasks.purge_call_details() == 0
