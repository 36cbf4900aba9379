"""bench_costs at a tiny size: it generates, imports, times and cleans up after itself."""

import io

from django.core.management import call_command
from django.db import connection

from costs.models import UsageRecord
from organisation.models import CostCentre
from subscriptions.models import Subscription


def test_bench_costs_runs_and_leaves_nothing_behind(db):
    out = io.StringIO()
    call_command("bench_costs", subscriptions=20, months=4, stdout=out)
    text = out.getvalue()
    assert "file: 80 rows" in text
    assert "80 rows, 0 unknown numbers" in text
    assert "deviation sweep" in text and "raw SQL of the COST-2 deviation query" in text
    if connection.vendor == "postgresql":
        assert "import / raw COPY:" in text
        assert "lower bound (COPY into staging" in text and "x raw COPY" in text
    assert not CostCentre.objects.filter(code="BENCH").exists()
    assert not Subscription.objects.exists() and not UsageRecord.objects.exists()
