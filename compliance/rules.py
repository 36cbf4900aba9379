"""The rules that beat jobs check: requirement id -> what it asks and where the guideline says it.

Section headings are the guideline's own (seeds/000_...txt), so a flag can name them (X-2).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    section: str


RULES = {
    rule.id: rule
    for rule in (
        Rule(
            "ORG-2",
            _("Every förvaltningskontor and larger unit has a telesamordnare"),
            _("Enhetschefens ansvar"),
        ),
        Rule(
            "ORG-3",
            _("A reserve plan for power outages and staff trained on their phones"),
            _("Enhetschefens ansvar"),
        ),
    )
}


def rule(rule_id):
    try:
        return RULES[rule_id]
    except KeyError:
        raise LookupError(f"Unknown rule {rule_id!r}; add it to compliance.rules.RULES") from None
