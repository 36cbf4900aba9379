"""The UI is Swedish: every msgid is translated and the compiled catalogue is current."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def _entries():
    """(msgid, msgstr or list of plural msgstrs, flags, msgctxt) for each entry of the .po
    file."""
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields, current, flags = {}, None, ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = line
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            plural = [v for k, v in sorted(fields.items()) if k.startswith("msgstr[")]
            yield (
                fields["msgid"],
                plural or fields.get("msgstr", ""),
                flags,
                fields.get("msgctxt"),
            )


ENTRIES = list(_entries())


def test_catalogue_is_not_empty():
    assert len(ENTRIES) > 100


@pytest.mark.parametrize("msgid, msgstr, flags, context", ENTRIES, ids=[e[0][:40] for e in ENTRIES])
def test_every_message_is_translated_and_compiled(msgid, msgstr, flags, context):
    assert "fuzzy" not in flags
    if isinstance(msgstr, list):
        assert all(msgstr)
        return
    assert msgstr
    with translation.override("sv"):
        found = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
        assert found == msgstr, "run `make messages` to compile"
