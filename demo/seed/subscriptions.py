"""The demo's register of phones (abonnemangsdatabasen): one subscription per person and
the function and group phones of data.FUNCTION_PHONES, found by number among those not
cancelled."""

from datetime import date

from django.core.management.base import CommandError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from demo import data
from demo.seed.base import fixed_day, set_changed
from demo.seed.organisation import cost_centres
from subscriptions.choices import Kind, Status, VoiceMessage
from subscriptions.models import Subscription
from subscriptions.services import barring_defaults

# Compared on a second run. Status and barring are left as they are: a demo user may have
# blocked a phone or opened international calls (BAR-2), and the demo keeps that.
SUBSCRIPTION_FIELDS = (
    "kind",
    "voice_message_to",
    "extension",
    "holder_id",
    "function_name",
    "unit_id",
    "cost_centre_id",
)


def seed_subscriptions(plan, org, tally):
    """Every demo person's phone and the function and group phones, each tied to the cost
    centre of its unit (SUB-1), with the BAR-1 barring defaults of subscription_create.

    In bulk, with simple-history rows, for speed: the rows are made as subscription_create
    makes them (barring_defaults(), the database checks the rest), and
    Subscription.objects' bulk paths fill the telesök search keys that save() would."""
    planned = plan.subscriptions
    numbers = [p.number for p in planned]
    current = Subscription.objects.exclude(status=Status.CANCELLED)
    existing = {s.number: s for s in current.filter(number__in=numbers)}
    taken = list(
        current.filter(extension__in=[p.extension for p in planned if p.extension])
        .exclude(number__in=numbers)
        .values_list("extension", "number")
    )
    if taken:
        extension, number = taken[0]
        raise CommandError(
            f"Extension {extension} belongs to the subscription {number}, which is not the "
            f"demo's; the demo needs it ({len(taken)} such extensions in all). Cancel those "
            "subscriptions or use a fresh database."
        )
    centres = dict(cost_centres({p.cost_centre_code for p in planned}).values_list("code", "pk"))
    units, people = org.units, org.people
    defaults = barring_defaults()
    to_create, to_update = [], []
    for row in planned:
        values = {
            "kind": row.kind,
            "extension": row.extension,
            "holder_id": people[row.holder].pk if row.holder else None,
            "function_name": row.function_name,
            # ABS-4: every demo group phone's voice message points to Kundtjänst.
            "voice_message_to": VoiceMessage.KUNDTJANST if row.kind == Kind.GROUP else "",
            "unit_id": units[row.unit_code].pk,
            "cost_centre_id": centres[row.cost_centre_code],
        }
        subscription = existing.get(row.number)
        if subscription is None:
            to_create.append(
                Subscription(
                    number=row.number,
                    activated_on=fixed_day(row.number, date(2015, 1, 1), 3650),
                    **defaults,
                    **values,
                )
            )
        elif set_changed(subscription, values):
            to_update.append(subscription)
    if to_update:
        bulk_update_with_history(
            to_update,
            Subscription,
            fields=list(SUBSCRIPTION_FIELDS),
            batch_size=500,
            default_change_reason=data.CHANGE_REASON,
        )
    if to_create:
        bulk_create_with_history(
            to_create, Subscription, batch_size=500, default_change_reason=data.CHANGE_REASON
        )
    tally.add("subscriptions", created=len(to_create), updated=len(to_update))
