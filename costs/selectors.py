from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.inbox import Source
from common.roles import Role, is_service_desk, is_service_desk_or_admin, roles_of
from common.users import AnyUser
from compliance.selectors import open_rules_of
from organisation import identity
from organisation.guideline import guideline
from organisation.models import CostCentre, Person
from organisation.permissions import person_of
from subscriptions.choices import Status
from subscriptions.models import Subscription

from .choices import CATEGORY_FIELDS, ImportStatus, StatementStatus
from .models import StatementAccess, StatementRequest, UsageImport, UsageRecord
from .permissions import can_decide_statement, can_import_usage


def cost_centres() -> QuerySet[CostCentre]:
    return CostCentre.objects.select_related("unit", "budget_manager").order_by("code")


def cost_centres_with_visible_costs(user: AnyUser) -> QuerySet[CostCentre]:
    """COST-1: the cost centres whose costs `user` may see (none for most people)."""
    if is_service_desk_or_admin(user):
        return cost_centres()
    person = person_of(user)
    if person is None:
        return cost_centres().none()
    roles = roles_of(user)
    scope = Q(pk__in=[])
    if Role.BUDGETCHEF in roles:
        scope |= Q(budget_manager=person)
    if Role.FORVALTNINGSCHEF in roles:
        scope |= Q(unit__forvaltning__manager=person)
    return cost_centres().filter(scope)


def import_scope(user: AnyUser) -> list[int] | None:
    """None (every cost centre) for Tele kundtjänst, else the ids of the uploader's own."""
    if is_service_desk_or_admin(user):
        return None
    person = person_of(user)
    if person is None:
        return []
    return list(CostCentre.objects.filter(budget_manager=person).values_list("pk", flat=True))


def usage_imports(user: User) -> QuerySet[UsageImport]:
    imports = UsageImport.objects.select_related("uploaded_by").defer("content")
    return imports if is_service_desk_or_admin(user) else imports.filter(uploaded_by=user)


def closing_flags(usage_import: UsageImport) -> list[dict[str, Any]]:
    """The preview's flags that would close, each with its subscription and holder, so
    the page shows a protected identity's phone only inside its circle (ORG-4)."""
    flags = usage_import.closing_flags
    phones = Subscription.objects.select_related("holder").in_bulk(
        [flag["subscription_id"] for flag in flags if flag.get("subscription_id")]
    )
    return [{**flag, "subscription": phones.get(flag.get("subscription_id"))} for flag in flags]


def usage_records() -> QuerySet[UsageRecord]:
    return UsageRecord.objects.select_related("subscription", "subscription__holder", "cost_centre")


def monthly_totals(
    cost_centres_qs: Iterable[CostCentre], *, months: int = 12
) -> list[dict[str, Any]]:
    """Per month (newest `months`): the cost of each category and the total, summed over
    the given cost centres. One query."""

    sums = {name: Sum(name) for name in (*CATEGORY_FIELDS, "total")}
    rows = (
        UsageRecord.objects.filter(cost_centre__in=cost_centres_qs)
        .values("period")
        .annotate(**sums)
        .order_by("-period")[:months]
    )
    return list(reversed(rows))


def month_records(cost_centre: CostCentre, period: date) -> QuerySet[UsageRecord]:
    return (
        usage_records()
        # The subscription's cost centre and unit: who may change its barring (BAR-2).
        .select_related("subscription__cost_centre", "subscription__unit")
        .filter(cost_centre=cost_centre, period=period)
        .order_by("subscription__number")
    )


def open_flag_rules(records: Iterable[UsageRecord]) -> dict[int, list[str]]:
    """{record pk: ["COST-2", ...]} of the open flags on these records; one query."""
    return open_rules_of(UsageRecord, [record.pk for record in records])


def unused_subscriptions(cost_centre: CostCentre) -> QuerySet[Subscription]:
    """SUB-5 cancellation candidates of one cost centre."""

    return (
        Subscription.objects.filter(pk__in=unused_subscription_ids(), cost_centre=cost_centre)
        .select_related("holder", "cost_centre", "unit")
        .order_by("number")
    )


def subscription_median(record: UsageRecord, months: int = 12) -> Decimal | None:
    """The median monthly cost of the record's subscription over the 12 months before it."""
    totals = sorted(
        UsageRecord.objects.filter(
            subscription_id=record.subscription_id,
            month__lt=record.month,
            month__gte=record.month - months,
        ).values_list("total", flat=True)
    )
    if not totals:
        return None
    middle = len(totals) // 2
    if len(totals) % 2:
        return totals[middle]
    return (totals[middle - 1] + totals[middle]) / 2


def private_shares(period: date) -> QuerySet[UsageRecord, dict[str, Any]]:
    """COST-4: the private share under delad faktura per employee for one month (payroll
    deducts it). One query; phones without a holder (function phones) have no share."""

    return (
        UsageRecord.objects.filter(period=period, private_share__gt=0)
        .exclude(subscription__holder__isnull=True)
        .values(
            "subscription__holder_id",
            "subscription__holder__external_id",
            "subscription__holder__first_name",
            "subscription__holder__last_name",
        )
        .annotate(
            private_share=Sum("private_share"),
            protected=F("subscription__holder__protected_identity"),
        )
        .order_by("subscription__holder__last_name", "subscription__holder__first_name")
    )


def shown_private_shares(period: date, user: AnyUser) -> list[dict[str, Any]]:
    """private_shares() as `user` may read them: a protected identity outside the user's
    circle (ORG-4) is "Skyddad identitet" with no employee id."""
    rows = list(private_shares(period))
    protected = Person.objects.select_related("unit").in_bulk(
        [row["subscription__holder_id"] for row in rows if row["protected"]]
    )
    for row in rows:
        person = protected.get(row["subscription__holder_id"])
        if person is not None and identity.is_hidden(user, person):
            row["subscription__holder__external_id"] = ""
            row["subscription__holder__first_name"] = ""
            row["subscription__holder__last_name"] = str(identity.PROTECTED)
    return rows


# --- COST-3: itemised statements ------------------------------------------------------------


def statement_requests(user: User) -> QuerySet[StatementRequest]:
    """The requests `user` may see: Tele kundtjänst all, everyone else their own."""

    requests = StatementRequest.objects.select_related(
        "subscription", "subscription__holder", "cost_centre", "requested_by", "decided_by"
    ).defer("operator_pdf")
    return requests if is_service_desk(user) else requests.filter(requested_by=user)


def statement_accesses() -> QuerySet[StatementAccess]:
    return StatementAccess.objects.select_related(
        "statement", "statement__subscription__holder", "statement__cost_centre", "user"
    )


def requestable_subscriptions(user: AnyUser) -> QuerySet[Subscription]:
    """The subscriptions of the cost centres `user` is budget-responsible for."""
    person = person_of(user)
    if person is None or Role.BUDGETCHEF not in roles_of(user):
        return Subscription.objects.none()
    return (
        Subscription.objects.filter(cost_centre__budget_manager=person)
        .select_related("holder", "cost_centre")
        .order_by("number")
    )


def unused_subscription_ids(
    months: int | None = None,
) -> QuerySet[Subscription, Mapping[str, object]]:
    """SUB-5: active subscriptions with no traffic in the last `months` imported months
    (the guideline's unused_months): cancellation candidates. A queryset of ids, for the budget
    owner's cost page and the annual review."""
    months = months or guideline().unused_months
    latest = UsageRecord.objects.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return Subscription.objects.none().values("pk")
    first = latest - months + 1
    imported = UsageRecord.objects.filter(month__gte=first).values("month").distinct().count()
    if imported < months:
        return Subscription.objects.none().values("pk")
    window_start = UsageRecord.objects.filter(month=first).values_list("period", flat=True)[0]
    used = UsageRecord.objects.filter(
        subscription_id=OuterRef("pk"), month__gte=first, traffic__gt=0
    )
    return (
        Subscription.objects.filter(status=Status.ACTIVE, activated_on__lt=window_start)
        .filter(~Exists(used))
        .values("pk")
    )


def last_traffic_period(subscription_ref: str = "pk") -> Subquery:
    """Subquery: the month (its first day) of the newest usage row with traffic of the
    subscription whose pk is in `subscription_ref`, or NULL when none has any; a usage
    hint that shows no amounts (the annual review's rows)."""
    return Subquery(
        UsageRecord.objects.filter(subscription_id=OuterRef(subscription_ref), traffic__gt=0)
        .order_by("-month")
        .values("period")[:1]
    )


# --- The start page's inbox (issue 19.1) -------------------------------------------------


def waiting_for(user: AnyUser) -> list[Source]:
    """Tele kundtjänst: itemised-statement requests to decide (COST-3). The uploader: a
    usage import whose preview waits for their decision (COST-1)."""
    sources: list[Source] = []
    if can_decide_statement(user):
        sources.append(
            Source(
                key="costs.statements",
                label=_("Itemised statements to decide"),
                waiting=StatementRequest.objects.filter(status=StatementStatus.PENDING),
                since="requested_at",
                url=reverse("costs:statement_list") + f"?status={StatementStatus.PENDING}",
                detail=lambda pk: reverse("costs:statement_detail", args=[pk]),
            )
        )
    if can_import_usage(user):
        sources.append(
            Source(
                key="costs.import_previews",
                label=_("Usage imports waiting for your decision"),
                waiting=UsageImport.objects.filter(
                    uploaded_by_id=user.pk, status=ImportStatus.PREVIEW
                ),
                since="uploaded_at",
                url=reverse("costs:usage_import_list"),
                detail=lambda pk: reverse("costs:usage_import_detail", args=[pk]),
            )
        )
    return sources
