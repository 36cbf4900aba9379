"""Requirement id -> the heading of the guideline section it comes from (X-2).

The headings are the guideline's own words (seeds/000_...txt, "Telefoni i Örebro kommun –
riktlinjer"), quoted as written (including its spelling "Abonmentdatabas"), so they are
not translated. Every id of REQUIREMENTS.md is here, rules that no sweep checks yet too, so
a flag raised by a rule added later shows its section on the dashboard at once. Another
municipality with near-identical guidelines edits this table, not code.
"""

# The guideline's section headings, in the order the guideline has them.
INTRODUCTION = "Telefoni i Örebro kommun – riktlinjer"
SERVICE = "Service till medborgarna"
PERSONAL = "Personligt telefonansvar"
MANAGER = "Enhetschefens ansvar"
ABSENCE = "Rutiner vid frånvaro"
PRIVATE_CALLS = "Privata samtal"
SPLIT_INVOICE = "Delad faktura"
VOICEMAIL = "Röstbrevlåda/mobilsvaret/talsvar"
PUBLIC_RECORD = "Allmän handling"
FOLLOW_ME = "Medflyttning av anknytning"
TRANSFER = "Vidarekoppling av samtal"
CALLER_ID = "Nummerpresentation"
NUMBER_ENQUIRY = "Nummerförfrågan"
THREATS = "Hot via inkommande samtal"
BARRING = "Begränsning av räckvidd"
MOBILE_GROUNDS = "Grunder för att anskaffa och använda MEX-telefon/mobiltelefon"
PURCHASE = "Inköp och abonnemang"
ABROAD = "Vistelse utomlands"
FUNCTION_PHONES = "MEX-telefoner/mobiltelefon som är funktionstelefon"
CANCELLATION = "Uppsägning av abonnemang"
DATABASE = "Abonmentdatabas och telesök"
COSTS = "Telefonkostnader"
COORDINATOR = "Telesamordnare"
POWER = "Säkerställa tillgänglighet under strömavbrott"

SECTIONS = (
    INTRODUCTION,
    SERVICE,
    PERSONAL,
    MANAGER,
    ABSENCE,
    PRIVATE_CALLS,
    SPLIT_INVOICE,
    VOICEMAIL,
    PUBLIC_RECORD,
    FOLLOW_ME,
    TRANSFER,
    CALLER_ID,
    NUMBER_ENQUIRY,
    THREATS,
    BARRING,
    MOBILE_GROUNDS,
    PURCHASE,
    ABROAD,
    FUNCTION_PHONES,
    CANCELLATION,
    DATABASE,
    COSTS,
    COORDINATOR,
    POWER,
)

# Where a rule is named in two sections (ORG-2 is both a manager's duty and the
# telesamordnare section), the one that says who must act is chosen, as compliance.rules
# does for the flag e-mails.
REQUIREMENT_SECTIONS = {
    # ORG – organisation
    "ORG-1": DATABASE,
    "ORG-2": MANAGER,
    "ORG-3": MANAGER,
    "ORG-4": DATABASE,
    # DIR – abonnemangsdatabasen and telesök
    "DIR-1": DATABASE,
    "DIR-2": DATABASE,
    "DIR-3": DATABASE,
    "DIR-4": DATABASE,
    "DIR-5": CALLER_ID,
    # SUB – subscriptions
    "SUB-1": PURCHASE,
    "SUB-2": MOBILE_GROUNDS,
    "SUB-3": MOBILE_GROUNDS,
    "SUB-4": FUNCTION_PHONES,
    "SUB-5": CANCELLATION,
    "SUB-6": SPLIT_INVOICE,
    "SUB-7": PURCHASE,
    "SUB-8": POWER,
    # BAR – call barring
    "BAR-1": BARRING,
    "BAR-2": BARRING,
    # DEV – devices, catalogue, orders
    "DEV-1": PURCHASE,
    "DEV-2": COORDINATOR,
    "DEV-3": COORDINATOR,
    "DEV-4": COSTS,
    "DEV-5": PURCHASE,
    # ABS – absence and redirects
    "ABS-1": ABSENCE,
    "ABS-2": FOLLOW_ME,
    "ABS-3": ABSENCE,
    "ABS-4": ABSENCE,
    "ABS-5": TRANSFER,
    "ABS-6": ABROAD,
    "ABS-7": TRANSFER,
    # VM – voicemail
    "VM-1": VOICEMAIL,
    "VM-2": VOICEMAIL,
    "VM-3": VOICEMAIL,
    "VM-4": VOICEMAIL,
    "VM-5": PUBLIC_RECORD,
    # REV – annual review
    "REV-1": MANAGER,
    "REV-2": MANAGER,
    # COST – costs
    "COST-1": COSTS,
    "COST-2": COSTS,
    "COST-3": COSTS,
    "COST-4": SPLIT_INVOICE,
    "COST-5": ABROAD,
    # SRV – service to citizens
    "SRV-1": SERVICE,
    "SRV-2": SERVICE,
    "SRV-3": SERVICE,
    "SRV-4": THREATS,
    # BEYOND: X-1 concerns the whole guideline; X-3 is the cancellation duty when a
    # holder leaves; X-4 is about documents kept as public records.
    "X-1": INTRODUCTION,
    "X-2": MANAGER,
    "X-3": CANCELLATION,
    "X-4": PUBLIC_RECORD,
}

# The order of requirement groups on the dashboard (as in REQUIREMENTS.md).
_GROUP_ORDER = ("ORG", "DIR", "SUB", "BAR", "DEV", "ABS", "VM", "REV", "COST", "SRV", "X")


def section_of(rule_id: str) -> str:
    """The guideline section heading of a requirement id ('' for an unknown id)."""
    return REQUIREMENT_SECTIONS.get(rule_id, "")


def requirement_sort_key(rule_id: str) -> tuple[int, str, int, str]:
    """ORG-2 before ORG-10 before DIR-1: REQUIREMENTS.md's order; unknown ids last."""
    group, _, number = rule_id.rpartition("-")
    try:
        position = _GROUP_ORDER.index(group)
    except ValueError:
        position = len(_GROUP_ORDER)
    return (position, group, int(number) if number.isdigit() else 0, rule_id)
