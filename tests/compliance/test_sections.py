"""X-2: every requirement id of REQUIREMENTS.md names the guideline section it comes from."""

import pytest

from compliance.rules import RULES
from compliance.sections import (
    REQUIREMENT_SECTIONS,
    SECTIONS,
    requirement_sort_key,
    section_of,
)

# Every id of REQUIREMENTS.md (ORG-1..X-4), written out so a missing one fails here.
REQUIREMENT_IDS = (
    [f"ORG-{n}" for n in range(1, 5)]
    + [f"DIR-{n}" for n in range(1, 6)]
    + [f"SUB-{n}" for n in range(1, 9)]
    + ["BAR-1", "BAR-2"]
    + [f"DEV-{n}" for n in range(1, 6)]
    + [f"ABS-{n}" for n in range(1, 8)]
    + [f"VM-{n}" for n in range(1, 6)]
    + ["REV-1", "REV-2"]
    + [f"COST-{n}" for n in range(1, 6)]
    + [f"SRV-{n}" for n in range(1, 5)]
    + [f"X-{n}" for n in range(1, 5)]
)


def test_x_2_every_requirement_has_a_guideline_section():
    assert sorted(REQUIREMENT_SECTIONS) == sorted(REQUIREMENT_IDS)
    for rule_id in REQUIREMENT_IDS:
        assert section_of(rule_id) in SECTIONS, rule_id


@pytest.mark.parametrize(
    "rule_id, section",
    [
        ("VM-4", "Röstbrevlåda/mobilsvaret/talsvar"),
        ("VM-5", "Allmän handling"),
        ("SRV-2", "Service till medborgarna"),
        ("SRV-4", "Hot via inkommande samtal"),
        ("SUB-5", "Uppsägning av abonnemang"),
        ("X-3", "Uppsägning av abonnemang"),
        ("COST-5", "Vistelse utomlands"),
        ("BAR-1", "Begränsning av räckvidd"),
        ("DEV-3", "Telesamordnare"),
        ("SUB-8", "Säkerställa tillgänglighet under strömavbrott"),
    ],
)
def test_x_2_sections_are_the_guidelines_headings(rule_id, section):
    assert section_of(rule_id) == section


def test_x_2_every_checked_rule_agrees_with_the_mapping():
    """The flag e-mails (compliance.rules) and the dashboard name the same section."""
    for rule_id, rule in RULES.items():
        assert rule_id in REQUIREMENT_SECTIONS, rule_id
        assert str(rule.section) == REQUIREMENT_SECTIONS[rule_id], rule_id


def test_x_2_requirements_sort_as_in_requirements_md():
    ids = ["X-3", "SRV-2", "ORG-10", "ORG-2", "VM-4", "DIR-1", "NEW-1"]
    assert sorted(ids, key=requirement_sort_key) == [
        "ORG-2",
        "ORG-10",
        "DIR-1",
        "VM-4",
        "SRV-2",
        "X-3",
        "NEW-1",
    ]
