"""manage.py bench_register_import at a tiny size, so that it cannot rot: it prints the
import beside the raw COPY (on PostgreSQL) and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from bench.management.commands.bench_register_import import BENCH_CODE
from organisation.models import CostCentre, Person, Unit
from subscriptions.models import Subscription


def test_bench_register_import_times_and_cleans(db):
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_register_import", subscriptions=60, stdout=out)
    text = out.getvalue()
    assert "file: 60 subscriptions" in text
    for name in ("import (read, check, write)", "check every row", "import again (all unchanged)"):
        assert re.search(rf"^ *{re.escape(name)} +\d+\.\d\d s$", text, re.M), text
    if connection.vendor == "postgresql":
        assert re.search(r"^raw COPY \(same rows, same table\) +\d+\.\d\d s$", text, re.M)
        assert re.search(r"^import / raw COPY: \d+\.\d\dx", text, re.M)
    else:
        assert "needs PostgreSQL (skipped)" in text
    assert not Unit.objects.filter(code=BENCH_CODE).exists()
    assert not Subscription.objects.exists() and not Person.objects.exists()
    assert not CostCentre.objects.exists()


def test_bench_register_import_refuses_without_debug(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("bench_register_import", subscriptions=50)
