"""The summary seed_demo prints: what the run built and changed, and the demo accounts."""

from compliance.selectors import open_flag_counts
from demo import data
from demo.seed.organisation import cost_centres
from demo.seed.plan import cost_centre_code
from organisation.choices import PersonKind
from organisation.models import Person, Unit
from subscriptions.choices import FUNCTION_KINDS, Status
from subscriptions.models import Subscription


def report(plan, users, tally, sweep, seconds):
    """What the run built and changed, the sweep's flags and the demo accounts, as the
    text the command prints."""
    units = Unit.objects.filter(code__in=[spec.code for spec, _ in plan.tree])
    people = Person.objects.filter(external_id__in=list(plan.by_id))
    centres = cost_centres([cost_centre_code(c) for c in plan.budget_manager])
    subscriptions = Subscription.objects.filter(
        number__in=[p.number for p in plan.subscriptions]
    ).exclude(status=Status.CANCELLED)
    open_flags = open_flag_counts(units=units)
    changes = ", ".join(
        f"{kind} {tally.created[kind]} created / {tally.updated[kind]} updated"
        for kind in ("accounts", "units", "people", "cost centres", "subscriptions")
    )
    lines = [
        f"Demo municipality ready in {seconds:.1f} s: "
        f"{units.filter(parent__isnull=True).count()} förvaltningar, "
        f"{units.filter(parent__isnull=False).count()} units below them, "
        f"{people.count()} people ({people.filter(kind=PersonKind.ELECTED).count()} "
        f"elected, {people.filter(protected_identity=True).count()} with protected "
        f"identity), {centres.count()} cost centres, {subscriptions.count()} "
        f"subscriptions ({subscriptions.filter(kind__in=FUNCTION_KINDS).count()} function "
        "and group phones).",
        f"Changes: {changes}; telesamordnare changed in {tally.updated['telesamordnare']} units.",
        f"Organisation sweep: {sweep.opened} flags opened, {sweep.resolved} resolved; "
        f"open now: ORG-2 {open_flags.get('ORG-2', 0)}, ORG-3 {open_flags.get('ORG-3', 0)}.",
        "",
        "Demo accounts:",
        f"  {'username':<18}{'role':<18}{'password':<10}{'name':<20}unit",
    ]
    people_by_user = {
        p.user_id: p for p in Person.objects.filter(user__in=users.values()).select_related("unit")
    }
    for account in data.ACCOUNTS:
        person = people_by_user[users[account.username].pk]
        lines.append(
            f"  {account.username:<18}{account.role or '(none)':<18}"
            f"{data.DEMO_PASSWORD:<10}{person.full_name:<20}{person.unit}"
        )
    return "\n".join(lines)
