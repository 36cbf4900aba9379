"""Every state change of callbacks (SRV-2, DIR-5), phone notes (SRV-3) and threat reports
(SRV-4): keyword-only, atomic, history-kept with who acted and why; e-mails on commit.

The clock is absence.workdays.now (tests move it); working days are absence.workdays'
Swedish calendar, in which midsommarafton, julafton and nyårsafton are not working days.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from absence import workdays
from common.history import save_with_history
from common.mail import mail_template_on_commit
from common.users import Actor
from compliance.services import SweepResult, raise_or_resolve
from organisation.guideline import guideline
from organisation.models import Person, Unit, normalise_name
from organisation.numbers import parse_number
from organisation.selectors import manager_of

from . import permissions, selectors
from .choices import BY_HAND, CallbackStatus, Channel
from .models import Callback, PhoneNote, ThreatReport

log = logging.getLogger(__name__)


def _site(path: str) -> str:
    return settings.TELEFONI_SITE_URL + path


def _mail(template: str, context: Mapping[str, Any], recipients: list[str]) -> None:
    mail_template_on_commit(recipients, f"service/email/{template}", context)


# --- Callbacks (SRV-2) -------------------------------------------------------------------


def callback_deadline(received_on: date, workdays_count: int | None = None) -> date:
    """The day the caller must have been contacted by: `n` working days after the day the
    message was taken (guideline: callback_deadline_workdays, default 2)."""
    if workdays_count is None:
        workdays_count = guideline().callback_deadline_workdays
    return workdays.add_working_days(received_on, workdays_count)


@transaction.atomic
def callback_create(
    *,
    actor: User,
    recipient: Person,
    caller_name: str | None,
    message: str | None,
    channel: str,
    caller_phone: str | None = "",
    caller_email: str | None = "",
    deadline: date | None = None,
    passed_on_by_hand: bool = False,
) -> Callback:
    """Record a callback message. The e-mail channel is sent by Telefoni on commit; an SMS
    or voicemail is done by hand, and the recorder confirms it (`passed_on_by_hand`)."""
    now = workdays.now()
    today = timezone.localdate(now)
    errors: dict[str, str | list[str]] = {}
    if not permissions.can_record_callback_for(actor, recipient):
        errors["recipient"] = _("Choose a person from the list.")
    caller_name = normalise_name(caller_name)
    if not caller_name:
        errors["caller_name"] = _("Give the caller's name.")
    message = (message or "").strip()
    if not message:
        errors["message"] = _("Write the message.")
    caller_email = (caller_email or "").strip()
    phone = ""
    if (caller_phone or "").strip():
        try:
            phone = parse_number(caller_phone)
        except ValidationError as exc:
            errors["caller_phone"] = exc.messages
    elif not caller_email:
        errors["caller_phone"] = _("Give a phone number or an e-mail address to call back on.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the message was passed on.")
    elif channel == Channel.EMAIL and not recipient.email:
        errors["channel"] = _(
            "%(name)s has no e-mail address: pass the message on by SMS or voicemail."
        ) % {"name": recipient}
    elif channel in BY_HAND and not passed_on_by_hand:
        errors["passed_on_by_hand"] = _("Confirm that you have sent the SMS or left the voicemail.")
    if deadline is None:
        deadline = callback_deadline(today)
    elif deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif not workdays.is_working_day(deadline):
        errors["deadline"] = _(
            "%(day)s is not a working day: choose a weekday that is not a public holiday."
        ) % {"day": formats.date_format(deadline, "l j F Y")}
    if errors:
        raise ValidationError(errors)
    callback = Callback(
        caller_name=caller_name,
        caller_phone=phone,
        caller_email=caller_email,
        message=message,
        recipient=recipient,
        channel=channel,
        received_at=now,
        deadline=deadline,
        recorded_by=actor,
        passed_on_at=now if channel in BY_HAND else None,
    )
    callback.full_clean()
    save_with_history(callback, actor=actor, reason=_("Message taken"))
    if channel == Channel.EMAIL:
        pk = callback.pk
        transaction.on_commit(lambda: callback_send_email(callback_id=pk))
    return callback


def callback_send_email(*, callback_id: int) -> int:
    """E-mail an open callback to its recipient, once: claimed with a conditional UPDATE in
    the transaction that writes the e-mail to the outbox (common.mail), which sends it or
    retries. Returns 1 when written."""
    with transaction.atomic():
        unsent = Callback.objects.filter(
            pk=callback_id,
            channel=Channel.EMAIL,
            passed_on_at__isnull=True,
            status=CallbackStatus.OPEN,
        )
        claimed = unsent.exclude(recipient__email="").update(passed_on_at=timezone.now())
        if not claimed:
            return 0
        callback = selectors.callback_detail(callback_id)
        context = {
            "callback": callback,
            "url": _site(callback.get_absolute_url()),
            "start_url": _site(reverse("start")),
        }
        # In the claim's transaction: the outbox (common.mail) sends it or retries.
        _mail("callback", context, [callback.recipient.email])
    return 1


@transaction.atomic
def callback_mark_done(*, actor: Actor, callback: Callback) -> Callback:
    """ "Kontaktad": the caller has been contacted. Done twice is a no-op."""
    callback = Callback.objects.select_for_update().get(pk=callback.pk)
    if callback.status == CallbackStatus.DONE:
        return callback
    callback.status = CallbackStatus.DONE
    callback.done_at = workdays.now()
    callback.done_by = actor
    save_with_history(callback, actor=actor, reason=_("The caller has been contacted"))
    return callback


def sweep_callbacks() -> tuple[SweepResult, int]:
    """The SRV-2 sweep: raise a flag to the recipient for every open callback past its
    deadline (resolve it once contacted), tell the recipient's manager once when it
    opens, and retry e-mails that failed (callbacks and threat reports). Idempotent.
    Returns (SweepResult, e-mails sent)."""
    with transaction.atomic():
        result = raise_or_resolve(
            rule_id="SRV-2",
            breaking=selectors.srv_2_breaking().select_related(None),
            unit_field="recipient__unit_id",
            responsible_field="recipient_id",
        )
        new_ids = {flag.object_id for flag in result.new_flags}
        if new_ids:
            ids = sorted(new_ids)
            transaction.on_commit(lambda: _mail_managers_overdue(ids))
    unsent = Callback.objects.filter(
        channel=Channel.EMAIL, passed_on_at__isnull=True, status=CallbackStatus.OPEN
    ).values_list("pk", flat=True)
    retried = sum(callback_send_email(callback_id=pk) for pk in list(unsent))
    unnotified = ThreatReport.objects.filter(notified_at__isnull=True).values_list("pk", flat=True)
    retried += sum(threat_report_notify(report_id=pk) for pk in list(unnotified))
    return result, retried


def _mail_managers_overdue(callback_ids: Iterable[int]) -> None:
    rows = Callback.objects.filter(pk__in=callback_ids).select_related("recipient__unit")
    for callback in rows:
        manager = manager_of(callback.recipient)
        if manager is None or not manager.email:
            continue
        _mail(
            "callback_overdue_manager",
            {"callback": callback, "manager": manager, "url": _site(callback.get_absolute_url())},
            [manager.email],
        )


def erase_callback_contacts(*, now: datetime | None = None) -> int:
    """DIR-5: erase the caller's number and e-mail from callbacks done more than
    `callback_erase_days` ago, in the rows and in every history row of them, set-based.
    The erasure itself gets one history row (without the number). Returns the count."""
    now = now or workdays.now()
    cutoff = now - timedelta(days=guideline().callback_erase_days)
    history = Callback.history.model
    with transaction.atomic():
        due = Callback.objects.select_for_update().filter(
            status=CallbackStatus.DONE, done_at__lte=cutoff, erased_at__isnull=True
        )
        ids = list(due.values_list("pk", flat=True))
        if not ids:
            return 0
        Callback.objects.filter(pk__in=ids).update(caller_phone="", caller_email="", erased_at=now)
        history.objects.filter(id__in=ids).exclude(caller_phone="", caller_email="").update(
            caller_phone="", caller_email=""
        )
        erased = list(Callback.objects.filter(pk__in=ids))
        Callback.history.bulk_history_create(
            erased,
            update=True,
            default_change_reason=_("Caller's number and e-mail erased (DIR-5)"),
            default_date=now,
        )
    return len(ids)


# --- Phone notes (SRV-3) -----------------------------------------------------------------


def normalise_case_number(text: str | None) -> str:
    """ "vof  2026/123 " -> "VOF 2026/123": one spelling per case, so a case lists all."""
    return normalise_name(text).upper()


@transaction.atomic
def phone_note_create(
    *,
    actor: User,
    received_at: datetime | None,
    caller: str | None,
    summary: str | None,
    case_number: str | None,
    unit: Unit,
) -> PhoneNote:
    errors = {}
    if received_at is None:
        errors["received_at"] = _("Give the date and time of the call.")
    elif received_at > workdays.now():
        errors["received_at"] = _("The call cannot be in the future.")
    case_number = normalise_case_number(case_number)
    if not case_number:
        errors["case_number"] = _("Give the case number.")
    if not normalise_name(caller):
        errors["caller"] = _("Say who called, as they gave it.")
    if not (summary or "").strip():
        errors["summary"] = _("Write a summary of what was said.")
    if errors:
        raise ValidationError(errors)
    assert received_at is not None and summary is not None  # refused above otherwise
    note = PhoneNote(
        received_at=received_at,
        caller=normalise_name(caller),
        summary=summary.strip(),
        case_number=case_number,
        unit=unit,
        written_by=actor,
        created_at=workdays.now(),
    )
    note.full_clean()
    save_with_history(note, actor=actor, reason=_("Phone note written"))
    return note


# --- Threat reports (SRV-4) --------------------------------------------------------------


@transaction.atomic
def threat_report_create(
    *,
    actor: Actor,
    reporter: Person,
    occurred_at: datetime | None,
    what_was_said: str | None,
    caller: str | None = "",
    number_shown: str | None = "",
) -> ThreatReport:
    """Report a threatening call; the reporter's nearest manager is e-mailed at once (on
    commit), and Tele kundtjänst when the reporter has no manager."""
    now = workdays.now()
    errors = {}
    if occurred_at is None:
        errors["occurred_at"] = _("Say when the call came.")
    elif occurred_at > now:
        errors["occurred_at"] = _("The call cannot be in the future.")
    if not (what_was_said or "").strip():
        errors["what_was_said"] = _("Write what was said.")
    if errors:
        raise ValidationError(errors)
    assert occurred_at is not None and what_was_said is not None  # refused above otherwise
    report = ThreatReport(
        occurred_at=occurred_at,
        what_was_said=what_was_said.strip(),
        caller=normalise_name(caller),
        number_shown=(number_shown or "").strip(),
        reporter=reporter,
        unit=reporter.unit,
        manager=manager_of(reporter),
        created_at=now,
    )
    report.full_clean()
    save_with_history(report, actor=actor, reason=_("Threat reported"))
    pk = report.pk
    transaction.on_commit(lambda: threat_report_notify(report_id=pk))
    return report


def threat_report_notify(*, report_id: int) -> int:
    """E-mail the manager (else Tele kundtjänst) once. Returns 1 when sent."""
    report = (
        ThreatReport.objects.select_related("reporter", "manager", "unit")
        .filter(pk=report_id, notified_at__isnull=True)
        .first()
    )
    if report is None:
        return 0
    if report.manager is not None and report.manager.email:
        to = report.manager.email
    else:
        to = settings.TELEFONI_SERVICE_DESK_EMAIL
    if not to:
        return 0
    # The claim commits only with the e-mail in the outbox (common.mail), which sends it
    # or retries; the relay being down no longer leaves the report for the sweep.
    with transaction.atomic():
        claimed = ThreatReport.objects.filter(pk=report_id, notified_at__isnull=True).update(
            notified_at=timezone.now(), notified_to=to
        )
        if not claimed:
            return 0
        _mail(
            "threat_report",
            {"report": report, "url": _site(report.get_absolute_url())},
            [to],
        )
    return 1


@transaction.atomic
def threat_report_acknowledge(*, actor: Actor, report: ThreatReport) -> ThreatReport:
    report = ThreatReport.objects.select_for_update().get(pk=report.pk)
    if report.acknowledged_at is None:
        report.acknowledged_at = workdays.now()
        save_with_history(report, actor=actor, reason=_("Read by the manager"))
    return report
