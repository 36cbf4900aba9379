"""The import and the cost sweep through a real Celery worker on Redis."""

from django.core import mail

from compliance.models import Flag
from costs import services, tasks
from costs.models import UsageImport, UsageRecord
from tests.costs.conftest import csv_file, row, usage
from tests.services import wait_for


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
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 2
    assert len(mail.outbox) == 2
    assert UsageImport.objects.count() == 1
