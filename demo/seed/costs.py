"""The demo's costs (costs app): six months of operator usage through the real import, and
one itemised statement request."""

import random
from datetime import timedelta

from django.utils import timezone

from costs import services as cost_services
from costs.importer import HEADERS
from costs.models import StatementRequest, UsageImport, UsageRecord
from demo import data
from subscriptions.choices import Kind, Status
from subscriptions.models import Subscription


def seed_costs(users):
    """COST-1, COST-2, COST-3, COST-5, BAR-1, SUB-5: six months of the operator's usage for
    every demo phone, imported through the real import (costs.services.usage_import_run, which
    also sweeps), with one month far above normal (COST-2), roaming without a trip (COST-5), a
    premium-rate call (BAR-1) and a phone without traffic (SUB-5) among the demo budget
    manager's phones, and one itemised statement request waiting for Tele kundtjänst. A month
    that is already imported is not imported again."""
    months, today = 6, timezone.localdate()
    first_of_month = today.replace(day=1)
    periods = []
    for _ in range(months):
        first_of_month = (first_of_month - timedelta(days=1)).replace(day=1)
        periods.append(first_of_month)
    periods.reverse()
    latest = periods[-1]
    budget_person = users["budgetchef"].person
    own = list(
        Subscription.objects.filter(
            cost_centre__budget_manager=budget_person,
            status=Status.ACTIVE,
            kind__in=[Kind.MOBILE, Kind.MEX],
        )
        .exclude(holder__user__isnull=False)
        .order_by("number")
        .values_list("number", flat=True)
    )
    # The budget manager's odd months: [COST-2 spike, COST-5 roaming, BAR-1, SUB-5 unused].
    odd = dict(zip(own[:4], ("spike", "roaming", "premium", "unused"), strict=False))
    if not UsageRecord.objects.filter(period=latest).exists():
        randomness = random.Random(f"{data.SEED}-costs")
        fees: dict[str, int] = {Kind.FIXED: 95, Kind.MEX: 189, Kind.MOBILE: 149}

        def kronor(value):
            return f"{value:.2f}".replace(".", ",")

        lines = [";".join(HEADERS.values())]
        phones = Subscription.objects.filter(status=Status.ACTIVE).order_by("number")
        for number, kind in phones.values_list("number", "kind"):
            mobile = kind in (Kind.MOBILE, Kind.MEX)
            for period in periods:
                domestic = randomness.uniform(15, 160)
                to_mobile = randomness.uniform(10, 140)
                data_cost = randomness.uniform(40, 220) if mobile else 0
                premium = roaming = 0
                role = odd.get(number)
                if role == "unused" and period >= periods[-3]:
                    domestic = to_mobile = data_cost = 0
                elif period == latest and role == "spike":
                    data_cost = 4_850
                elif period == latest and role == "roaming":
                    roaming = 560
                elif period == latest and role == "premium":
                    premium = 29
                lines.append(
                    ";".join(
                        [
                            number,
                            f"{period:%Y-%m}",
                            kronor(fees.get(kind, 95)),
                            kronor(domestic),
                            kronor(to_mobile),
                            "0,00",
                            kronor(premium),
                            "0,00",
                            kronor(data_cost),
                            kronor(roaming),
                            "0,00",
                        ]
                    )
                )
        usage_import = UsageImport.objects.create(
            file_name=f"demo-operatorsfil-{periods[0]:%Y-%m}-{latest:%Y-%m}.csv",
            content=("\n".join(lines) + "\n").encode(),
            uploaded_by=users["telekundtjanst"],
        )
        cost_services.usage_import_run(import_id=usage_import.pk)
    spike = next((number for number, role in odd.items() if role == "spike"), None)
    if spike and not StatementRequest.objects.filter(subscription__number=spike).exists():
        cost_services.statement_request_create(
            actor=users["budgetchef"],
            subscription=Subscription.objects.get(number=spike, status=Status.ACTIVE),
            period=latest,
            grounds="Datakostnaden är över tjugo gånger den vanliga; misstanke om obehörig "
            "användning av telefonen.",
        )
