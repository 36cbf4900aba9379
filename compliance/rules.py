"""The rules that beat jobs check: requirement id -> what it asks and where the guideline says it.

Section headings are the guideline's own (seeds/000_...txt), so a flag can name them (X-2).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Rule:
    id: str
    title: "StrOrPromise"
    section: "StrOrPromise"


RULES = {
    rule.id: rule
    for rule in (
        Rule(
            "REV-1",
            _("The manager reviews every subscription of the unit at least once a year"),
            _("Enhetschefens ansvar"),
        ),
        Rule(
            "REV-2",
            _("The unit's annual review is signed by its deadline"),
            _("Enhetschefens ansvar"),
        ),
        Rule(
            "ORG-2",
            _("Every förvaltningskontor and larger unit has a telesamordnare"),
            _("Enhetschefens ansvar"),
        ),
        Rule(
            "ABS-1",
            _("No phone is left unattended: a long absence sends calls somewhere"),
            _("Rutiner vid frånvaro"),
        ),
        Rule(
            "ORG-3",
            _("A reserve plan for power outages and staff trained on their phones"),
            _("Enhetschefens ansvar"),
        ),
        Rule(
            "COST-2",
            _("A month's phone costs far above the subscription's normal level are explained"),
            _("Telefonkostnader"),
        ),
        Rule(
            "BAR-1",
            _("No premium-rate or directory-enquiry costs: they are barred by default"),
            _("Begränsning av räckvidd"),
        ),
        Rule(
            "COST-5",
            _("Roaming and data abroad only during a registered trip"),
            _("Vistelse utomlands"),
        ),
        Rule(
            "SUB-5",
            _("A subscription without traffic for months is cancelled"),
            _("Uppsägning av abonnemang"),
        ),
        Rule(
            "X-3",
            _(
                "A leaver's subscriptions, phones and voicemail are cancelled or handed "
                "over, and a successor is named to their roles"
            ),
            _("Uppsägning av abonnemang"),
        ),
        Rule(
            "DEV-4",
            _("A mover's phones move to the cost centre of the new unit"),
            _("Telefonkostnader"),
        ),
        Rule(
            "SRV-2",
            _("A caller who left a message is contacted by the deadline (two working days)"),
            _("Service till medborgarna"),
        ),
        Rule(
            "VM-4",
            _("Every voicemail box is listened to daily, by a named deputy during an absence"),
            _("Röstbrevlåda/mobilsvaret/talsvar"),
        ),
        Rule(
            "VM-2",
            _("A voicemail box in use has the holder's own confirmed personal greeting"),
            _("Röstbrevlåda/mobilsvaret/talsvar"),
        ),
        Rule(
            "ABS-6",
            _("Mobilsvar is switched off while the holder is abroad"),
            _("Vistelse utomlands"),
        ),
    )
}


def rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise LookupError(f"Unknown rule {rule_id!r}; add it to compliance.rules.RULES") from None
