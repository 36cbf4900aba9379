"""manage.py bench_directory_sync at a tiny size against its own throwaway slapd, so that
it cannot rot: both syncs run, the steady one changes nothing, everything is removed."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from bench.management.commands.bench_directory_sync import BENCH_CODE
from organisation.models import DirectorySyncRun, Person, Unit
from tests.services import require_slapd


def test_bench_directory_sync_times_both_syncs_beside_the_raw_baseline(db):
    require_slapd()
    before = Person.objects.count()
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_directory_sync", people=30, units=5, stdout=out)
    text = out.getvalue()
    for name in (
        "raw LDAP read",
        "raw upsert, new",
        "raw upsert, same",
        "first sync",
        "steady sync",
    ):
        assert re.search(rf"^{re.escape(name)} +\d+\.\d$", text, re.M), text
    assert "Loaded 30 entries" in text
    assert "steady sync changed 0 people" in text
    assert re.search(r"^goal steady <= 2x .*: \d+\.\d\dx \((met|NOT met)\)$", text, re.M)
    assert "Removed the benchmark data (30 people)." in text
    assert Person.objects.count() == before
    assert not Unit.objects.filter(code__startswith=BENCH_CODE).exists()
    assert not DirectorySyncRun.objects.exists()


def test_bench_directory_sync_refuses_without_debug(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("bench_directory_sync", people=30)
    assert not Unit.objects.filter(code=BENCH_CODE).exists()
