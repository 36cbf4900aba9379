"""State changes of the annual review (REV-1, REV-2, SUB-5) and its nightly sweep."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.history import note_history
from common.mail import mail_template_on_commit
from common.pdf import render_pdf
from common.users import Actor
from compliance.services import SweepResult, raise_or_resolve
from costs.selectors import unused_subscription_ids
from organisation.guideline import guideline
from organisation.models import Person, Unit
from organisation.permissions import is_budget_manager_of
from subscriptions.choices import RequestKind
from subscriptions.models import NOT_CANCELLED, Subscription
from subscriptions.selectors import display_name
from subscriptions.services import change_request_create, subscription_cancel

from . import permissions
from .choices import CandidateReason, Decision, ReviewStatus
from .models import ReviewItem, ReviewRound, UnitReview
from .selectors import review_items

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

log = logging.getLogger(__name__)


class Responsible(TypedDict):
    """The annotation a REV breaking queryset carries for raise_or_resolve."""

    responsible_id: int | None


# --- Which unit reviews a subscription, and why it may be a candidate ------------------


def review_unit_subquery(path_ref: str = "path") -> Subquery:
    """Subquery: the pk of the nearest unit at or above the outer unit (its path in
    `path_ref`) that has a manager; that unit's review covers the outer unit's phones."""
    return Subquery(
        Unit.objects.filter(StartsWith(OuterRef(path_ref), F("path")), manager__isnull=False)
        .order_by("-depth")
        .values("pk")[:1]
    )


def review_units() -> dict[int, int | None]:
    """{unit pk: pk of the unit whose review covers it (None: no manager above)}; one
    query over the units, so that nothing is computed per subscription."""
    return dict(
        Unit.objects.annotate(review_unit_id=review_unit_subquery()).values_list(
            "pk", "review_unit_id"
        )
    )


def candidate_reason_expression() -> Case:
    """SUB-5: why a subscription may be cancelled. The holder has left (inactive), is
    placed outside the subscription's unit and the units below it, or the phone has had
    no traffic in the last the guideline's unused_months imported months (costs)."""
    return Case(
        When(holder__is_active=False, then=Value(CandidateReason.HOLDER_INACTIVE.value)),
        When(
            Q(holder__isnull=False) & ~Q(StartsWith(F("holder__unit__path"), F("unit__path"))),
            then=Value(CandidateReason.HOLDER_ELSEWHERE.value),
        ),
        When(
            pk__in=unused_subscription_ids(),
            then=Value(CandidateReason.NO_TRAFFIC.value),
        ),
        default=Value(""),
    )


# --- Opening a round ---------------------------------------------------------------------


@transaction.atomic
def review_round_open(*, actor: Actor, year: int, deadline: date | None = None) -> ReviewRound:
    """Open the annual review of `year`: one review per unit with a manager and at least
    one subscription, one row per subscription. `actor` None: opened on the set date.
    The managers are e-mailed after commit (each once)."""
    today = timezone.localdate()
    deadline = deadline or today + timedelta(days=guideline().review_deadline_days)
    if deadline <= today:
        raise ValidationError({"deadline": _("Choose a deadline after today.")})
    if ReviewRound.objects.filter(year=year).exists():
        raise ValidationError(
            {"year": _("The annual review of %(year)s is already open.") % {"year": year}}
        )
    review_round = ReviewRound(year=year, opened_by=actor, deadline=deadline)
    note_history(review_round, actor=actor, reason=_("Review round opened"))
    try:
        with transaction.atomic():
            review_round.save()
    except IntegrityError as exc:  # another request opened it a moment ago
        raise ValidationError(
            {"year": _("The annual review of %(year)s is already open.") % {"year": year}}
        ) from exc
    # Every subscription not cancelled (blocked ones too), in the review of the nearest
    # unit at or above its unit that has a manager.
    covering = review_units()
    rows: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, unit_id, candidate in (
        Subscription.objects.filter(NOT_CANCELLED)
        .annotate(reason=candidate_reason_expression())
        .order_by()
        .values_list("pk", "unit_id", "reason")
    ):
        review_unit_id = covering.get(unit_id)
        if review_unit_id is not None:
            rows[review_unit_id].append((pk, candidate))
    reason = _("Review round %(year)s opened") % {"year": year}
    reviews = bulk_create_with_history(
        [UnitReview(round=review_round, unit_id=unit_id) for unit_id in sorted(rows)],
        UnitReview,
        batch_size=1000,
        default_user=actor,
        default_change_reason=reason,
    )
    items = [
        ReviewItem(unit_review=review, subscription_id=pk, candidate_reason=candidate)
        for review in reviews
        for pk, candidate in rows[review.unit_id]
    ]
    bulk_create_with_history(
        items, ReviewItem, batch_size=2000, default_user=actor, default_change_reason=reason
    )
    transaction.on_commit(send_review_mails)
    return review_round


def review_round_open_if_due(today: date | None = None) -> ReviewRound | None:
    """Open this year's round on the guideline's review_opens (MM-DD) unless it is open already;
    a no-op otherwise. Returns the new round or None."""
    today = today or timezone.localdate()
    opens = opening_day(today.year)
    if opens is None or today < opens or ReviewRound.objects.filter(year=today.year).exists():
        return None
    try:
        return review_round_open(actor=None, year=today.year)
    except ValidationError:  # opened meanwhile by Tele kundtjänst or another worker
        return None


def opening_day(year: int) -> date | None:
    """The day of `year` the round opens by itself, or None when it never does."""
    text = (guideline().review_opens or "").strip()
    if not text:
        return None
    month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)


# --- Deciding, signing, confirming ------------------------------------------------------


def _locked_review(unit_review: UnitReview) -> UnitReview:
    return (
        UnitReview.objects.select_for_update()
        .select_related("unit", "round")
        .get(pk=unit_review.pk)
    )


def _refuse_signed(review: UnitReview) -> None:
    if review.is_signed:
        raise ValidationError(_("The review is signed and can no longer be changed."))


@dataclass(frozen=True)
class RowDecision:
    """What the manager chose for one row, and the row's version the page showed."""

    item_id: int
    decision: str
    note: str
    version: int


@dataclass
class DecideResult:
    """What review_decide did: the rows it saved, and the rows someone else changed since
    the page was loaded (as they are now; nothing of them was saved)."""

    saved: list[ReviewItem] = field(default_factory=list)
    conflicts: list[ReviewItem] = field(default_factory=list)


def _row_error(item_id: int, name: str, message: str) -> ValidationError:
    """A row's error: `name` is the field, params["item"] the row, for the form to place."""
    return ValidationError({name: ValidationError(message, params={"item": item_id})})


# The form repeats this check to mark every such row at once; one message for both.
CHANGE_NEEDS_NOTE = gettext_lazy("Say what should be changed.")

_DECIDED_FIELDS = ["decision", "note", "decided_by", "decided_at", "version", "change_request"]


@transaction.atomic
def review_decide(*, actor: User, unit_review: UnitReview, rows: list[RowDecision]) -> DecideResult:
    """The manager keeps, changes or cancels many rows of the unit's review at once.

    Every row carries the version the manager saw: a row someone decided (or confirmed)
    meanwhile is not touched and comes back in `conflicts`; the others are saved. Bad
    input in any row (an unknown decision, a change with no note, a row of another review)
    saves nothing. A row whose decision and note are as stored is left alone (no history
    row). "change" sends a change request to Tele kundtjänst with the note; "cancel" waits
    for the budget-responsible manager (at once when that is the actor). A decision that
    has led to a change request or a cancellation stands.

    Queries: a fixed number for any count of kept rows or rows cancelled for the budget
    manager to confirm (one locked read, one UPDATE and one history INSERT per batch); a
    change request, or a cancellation the actor confirms at once, is its own service call
    per row (subscriptions), as each is a separate act of Tele kundtjänst's queue."""
    review = _locked_review(unit_review)
    _refuse_signed(review)
    if not permissions.can_decide(actor, review):
        raise ValidationError(_("You may decide only on subscriptions of units you manage."))
    for row in rows:
        if row.decision not in Decision.values:
            raise _row_error(row.item_id, "decision", _("Choose keep, change or cancel."))
        if row.decision == Decision.CHANGE and not row.note.strip():
            raise _row_error(row.item_id, "note", str(CHANGE_NEEDS_NOTE))
    items = (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("subscription__cost_centre", "subscription__holder", "decided_by__person")
        .filter(unit_review=review)
        .in_bulk([row.item_id for row in rows])
    )
    if len(items) != len({row.item_id for row in rows}):
        raise ValidationError(_("A row is not part of this review. Nothing was changed."))
    result = DecideResult()
    now = timezone.now()
    for row in rows:
        item = items[row.item_id]
        note = row.note.strip()
        if (item.decision, item.note) == (row.decision, note):
            continue  # as stored already, whoever decided it: nothing is lost
        if item.version != row.version or item.is_final:
            result.conflicts.append(item)
            continue
        item.decision, item.note = row.decision, note
        item.decided_by, item.decided_at = actor, now
        item.version += 1
        if item.decision == Decision.CHANGE:
            item.change_request = change_request_create(
                actor=actor,
                kind=RequestKind.SUBSCRIPTION,
                target=item.subscription,
                changes={},
                forvaltning=review.unit.forvaltning,
                message=_("Annual review %(year)s, %(unit)s: %(note)s")
                % {"year": review.round.year, "unit": review.unit.name, "note": note},
            )
        note_history(
            item,
            actor=actor,
            reason=_("Decision: %(decision)s") % {"decision": item.get_decision_display()},
        )
        result.saved.append(item)
    if not result.saved:
        return result
    bulk_update_with_history(
        result.saved, ReviewItem, _DECIDED_FIELDS, batch_size=500, default_user=actor
    )
    for item in result.saved:
        if item.decision == Decision.CANCEL and is_budget_manager_of(
            actor, item.subscription.cost_centre
        ):
            _confirm(item, actor=actor, review=review)
    if review.status == ReviewStatus.NOT_STARTED:
        review.status = ReviewStatus.IN_PROGRESS
        note_history(review, actor=actor, reason=_("First decision"))
        review.save(update_fields=["status"])
    return result


@transaction.atomic
def cancellation_confirm(*, actor: User, item: ReviewItem) -> ReviewItem:
    """SUB-5: the budget-responsible manager confirms a cancellation the review decided;
    the subscription is cancelled today and its number quarantined."""
    item = (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("subscription__cost_centre", "unit_review__round", "unit_review__unit")
        .get(pk=item.pk)
    )
    if item.decision != Decision.CANCEL:
        raise ValidationError(_("The review did not decide to cancel this subscription."))
    if item.cancel_confirmed_at is not None:
        raise ValidationError(_("The cancellation has already been confirmed."))
    if not permissions.can_confirm_cancellation(actor, item):
        raise ValidationError(
            _("Only the budget-responsible manager of the cost centre confirms a cancellation.")
        )
    return _confirm(item, actor=actor, review=item.unit_review)


def _confirm(item: ReviewItem, *, actor: Actor, review: UnitReview) -> ReviewItem:
    subscription_cancel(
        actor=actor,
        subscription=item.subscription,
        reason=_("Cancelled in the annual review %(year)s of %(unit)s")
        % {"year": review.round.year, "unit": review.unit.name},
    )
    item.cancel_confirmed_by, item.cancel_confirmed_at = actor, timezone.now()
    item.version += 1
    note_history(item, actor=actor, reason=_("Cancellation confirmed"))
    item.save()
    return item


@transaction.atomic
def unit_review_sign(*, actor: User, unit_review: UnitReview) -> UnitReview:
    """Sign off a unit's review once every row has a decision; the signed review is a
    PDF kept with it, and the review is read-only from then on."""
    review = _locked_review(unit_review)
    if review.is_signed:
        raise ValidationError(
            _("The review was already signed on %(date)s.")
            % {"date": date_format(timezone.localtime(review.signed_at), "SHORT_DATE_FORMAT")}
        )
    if not permissions.can_decide(actor, review):
        raise ValidationError(_("You may sign only the reviews of units you manage."))
    undecided = review.items.filter(decision="").count()
    if undecided:
        raise ValidationError(
            ngettext(
                "%(count)s subscription has no decision yet. Decide on every row before signing.",
                "%(count)s subscriptions have no decision yet. Decide on every row before signing.",
                undecided,
            )
            % {"count": undecided}
        )
    review.status = ReviewStatus.SIGNED
    review.signed_by, review.signed_at = actor, timezone.now()
    review.pdf = render_pdf("review/pdf/unit_review.html", _pdf_context(review))
    note_history(review, actor=actor, reason=_("Signed"))
    review.save()
    return review


def _pdf_context(review: UnitReview) -> dict[str, Any]:
    return {
        "review": review,
        "items": review_items(review),
        "signer": display_name(review.signed_by),
        "signed_at": timezone.localtime(review.signed_at),
    }


# --- The nightly sweep (REV-1, REV-2) ----------------------------------------------------


def review_cutoff(today: date) -> tuple[date, datetime]:
    """(last day, first moment): a subscription activated on or before the day, and not
    decided in a review signed from the moment on, is due for review."""
    cutoff = today - timedelta(days=guideline().review_max_age_days)
    since = timezone.make_aware(datetime.combine(cutoff + timedelta(days=1), time.min))
    return cutoff, since


def unreviewed_subscriptions(today: date | None = None) -> QuerySet[Subscription]:
    """REV-1: subscriptions not cancelled whose last decision in a signed review (or,
    never reviewed, whose activation) is older than the guideline's review_max_age_days."""
    cutoff, since = review_cutoff(today or timezone.localdate())
    reviewed = ReviewItem.objects.filter(
        subscription=OuterRef("pk"),
        unit_review__status=ReviewStatus.SIGNED,
        unit_review__signed_at__gte=since,
    ).exclude(decision="")
    return Subscription.objects.filter(NOT_CANCELLED, activated_on__lte=cutoff).filter(
        ~Exists(reviewed)
    )


def rev_1_breaking(
    today: date | None = None,
) -> "QuerySet[WithAnnotations[Unit, Responsible]]":
    """REV-1, one flag per reviewing unit (not per subscription): units with a manager
    whose review covers at least one subscription overdue for review. Set-based per unit:
    the units holding a due subscription (EXISTS), mapped to their nearest managed unit.
    The manager must act."""
    due = unreviewed_subscriptions(today).filter(unit_id=OuterRef("pk"))
    covering = (
        Unit.objects.filter(Exists(due))
        .annotate(review_unit_id=review_unit_subquery())
        .values("review_unit_id")
    )
    return Unit.objects.filter(manager__isnull=False, pk__in=covering).annotate(
        responsible_id=F("manager_id")
    )


def rev_2_breaking(
    today: date | None = None,
) -> "QuerySet[WithAnnotations[UnitReview, Responsible]]":
    """REV-2: unit reviews still unsigned after their round's deadline."""
    today = today or timezone.localdate()
    return (
        UnitReview.objects.filter(round__deadline__lt=today)
        .exclude(status=ReviewStatus.SIGNED)
        .annotate(responsible_id=F("unit__manager_id"))
    )


def sweep_reviews(today: date | None = None, *, open_round: bool = True) -> SweepResult:
    """Nightly: open the round when due (unless `open_round` is false), flag REV-1 and
    REV-2, send the review e-mails that are due. Running it twice changes nothing and sends
    nothing twice."""
    today = today or timezone.localdate()
    if open_round:
        review_round_open_if_due(today)
    result = raise_or_resolve(
        rule_id="REV-1",
        breaking=rev_1_breaking(today),
        unit_field="pk",
        responsible_field="responsible_id",
    )
    result += raise_or_resolve(
        rule_id="REV-2",
        breaking=rev_2_breaking(today),
        unit_field="unit_id",
        responsible_field="responsible_id",
    )
    send_review_mails(today)
    return result


# --- E-mails: when the round opens, a reminder, then the förvaltningschef ---------------

MailKind = Literal["opened", "reminder", "escalation"]
OPENED: MailKind = "opened"
REMINDER: MailKind = "reminder"
ESCALATION: MailKind = "escalation"
_SENT_FIELD = {OPENED: "opened_mail_at", REMINDER: "reminder_sent_at", ESCALATION: "escalated_at"}


def _due(kind: MailKind, today: date) -> QuerySet[UnitReview, int]:
    pending = UnitReview.objects.exclude(status=ReviewStatus.SIGNED).filter(
        **{f"{_SENT_FIELD[kind]}__isnull": True}
    )
    g = guideline()
    if kind == REMINDER:
        since = today - timedelta(days=g.review_reminder_days)
        pending = pending.filter(round__opened_at__date__lte=since)
    elif kind == ESCALATION:
        since = today - timedelta(days=g.review_escalation_days)
        pending = pending.filter(round__deadline__lte=since)
    return pending.order_by("pk").values_list("pk", flat=True)


def send_review_mails(today: date | None = None) -> int:
    """Write every review e-mail that is due to the outbox, each exactly once: the row is
    claimed with a conditional UPDATE (…_at IS NULL) in the transaction that writes the
    e-mail (common.mail), so two workers never write the same one and a claim commits
    only with its e-mail, which the outbox then sends or retries. A failure while writing
    it rolls the claim back and the next run retries. Returns the count."""
    today = today or timezone.localdate()
    sent = 0
    for kind in (OPENED, REMINDER, ESCALATION):
        field = _SENT_FIELD[kind]
        for pk in list(_due(kind, today)):
            try:
                with transaction.atomic():
                    claimed = UnitReview.objects.filter(
                        ~Q(status=ReviewStatus.SIGNED), pk=pk, **{f"{field}__isnull": True}
                    ).update(**{field: timezone.now()})
                    if not claimed:
                        continue
                    _send(kind, pk)
            except Exception:
                log.exception("Review e-mail %s for unit review %s failed", kind, pk)
                continue
            sent += 1
    return sent


def _recipient(person: Person | None) -> list[str]:
    if person is not None and person.email:
        return [person.email]
    desk = settings.TELEFONI_SERVICE_DESK_EMAIL
    return [desk] if desk else []


def _send(kind: MailKind, pk: int) -> None:
    review = UnitReview.objects.select_related(
        "round", "unit__manager", "unit__forvaltning__manager"
    ).get(pk=pk)
    if kind == ESCALATION:
        forvaltning = review.unit.forvaltning
        assert forvaltning is not None  # a saved unit always has its förvaltning
        person = forvaltning.manager
    else:
        person = review.unit.manager
    recipients = _recipient(person)
    if not recipients:
        return
    context = {
        "kind": kind,
        "review": review,
        "person": person,
        "url": settings.TELEFONI_SITE_URL + review.get_absolute_url(),
    }
    mail_template_on_commit(recipients, "review/email/review", context)
