"""manage.py bench_voicemail at a tiny size, so that it cannot rot: every rule's raw SQL
must agree with the ORM rule (the command stops otherwise), and --clean removes it all."""

import re
from io import StringIO

from django.core.management import call_command
from django.test import override_settings

from bench.management.commands.bench_voicemail import BENCH_CODE
from compliance.models import Flag
from organisation.models import Unit
from voicemail.models import VoicemailBox


def test_bench_voicemail_seeds_times_and_cleans(db):
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("bench_voicemail", size=200, repeat=1, stdout=out)
    text = out.getvalue()
    root = Unit.objects.get(code=BENCH_CODE)
    boxes = VoicemailBox.objects.filter(subscription__unit__path__startswith=root.path)
    assert boxes.count() == 200
    for rule in ("VM-4", "VM-2", "ABS-6"):
        assert re.search(rf"^{rule} +\d+ +\d+\.\d +\d+\.\d +\d+\.\d+x$", text, re.M), text
    assert "changed 0 flags (must be 0)" in text
    assert Flag.objects.filter(rule="VM-4").exists()
    with override_settings(DEBUG=True):
        call_command("bench_voicemail", clean=True, stdout=StringIO())
    assert not Unit.objects.filter(code=BENCH_CODE).exists()
    assert not VoicemailBox.objects.exists()
