"""Medborgarservice pages: callbacks (SRV-2), phone notes (SRV-3), threat reports (SRV-4).

Thin: permission -> form -> service -> message -> redirect. Objects a user may not read
answer 404; actions they may not take 403. DIR-5: no page takes or filters by a caller's
number or e-mail, so nothing here says who an external number belongs to.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from absence import selectors as absence_selectors
from absence import workdays
from common.http import get_or_404, redirect_back
from common.pdf import render_pdf
from organisation.models import Person, Unit
from organisation.permissions import can_view_person, person_of

from . import permissions, selectors, services
from .choices import CallbackStatus
from .forms import CallbackForm, PhoneNoteForm, ThreatReportForm
from .models import Callback, PhoneNote, ThreatReport


@require_safe
def index(request):
    return render(request, "service/index.html", {"person": person_of(request.user)})


# --- Callbacks (SRV-2) -------------------------------------------------------------------


@require_safe
def call_card(request, pk):
    """Kundtjänst's view of a telesök hit (issue 19.4): where the person's calls go now,
    the unit's phone hours and working day, the next working day, and "Ta meddelande"
    for them. 404 for a person the user may not take a message for (ORG-4, left)."""
    person = get_or_404(selectors.call_card_person, pk, Person)
    if not (
        can_view_person(request.user, person)
        and permissions.can_record_callback_for(request.user, person)
    ):
        raise Http404
    today = selectors.today()
    context = {
        "person": person,
        "phones": absence_selectors.phones_of(person),
        "redirect": absence_selectors.current_redirect_of(person),
        "hours": workdays.working_hours(person.unit),
        "phone_hours": person.unit.phone_hours,
        "is_working_day": workdays.is_working_day(today),
        "next_working_day": workdays.next_working_day(today),
        "deadline": services.callback_deadline(today),
    }
    return render(request, "service/call_card.html", context)


@require_safe
def callback_list(request):
    status = request.GET.get("status", CallbackStatus.OPEN)
    if status not in CallbackStatus.values:
        status = ""
    context = {
        "callbacks": list(selectors.callbacks_visible_to(request.user, status=status or None)),
        "status": status,
        "statuses": CallbackStatus.choices,
        "today": selectors.today(),
    }
    return render(request, "service/callback_list.html", context)


@require_http_methods(["GET", "POST"])
def callback_create(request):
    initial = {}
    if request.GET.get("for", "").isdigit():
        initial["recipient"] = request.GET["for"]
    form = CallbackForm(
        request.POST or None,
        initial=initial,
        recipients=selectors.recipients_for(request.user),
        default_deadline=services.callback_deadline(selectors.today()),
        reader=request.user,
    )
    if request.method == "POST" and form.is_valid():
        callback = form.save(actor=request.user)
        if callback is not None:
            messages.success(
                request,
                _("Message saved for %(name)s; call back by %(day)s.")
                % {
                    "name": callback.recipient,
                    "day": formats.date_format(callback.deadline, "l j F"),
                },
            )
            return redirect("service:callback_create")
    return render(request, "service/callback_form.html", {"form": form})


@require_safe
def callback_detail(request, pk):
    callback = get_or_404(selectors.callback_detail, pk, Callback)
    if not permissions.can_view_callback(request.user, callback):
        raise Http404
    context = {
        "callback": callback,
        "can_close": permissions.can_close_callback(request.user, callback),
        "today": selectors.today(),
    }
    return render(request, "service/callback_detail.html", context)


@require_POST
def callback_done(request, pk):
    callback = get_or_404(selectors.callback_detail, pk, Callback)
    if not permissions.can_view_callback(request.user, callback):
        raise Http404
    if not permissions.can_close_callback(request.user, callback):
        raise PermissionDenied
    services.callback_mark_done(actor=request.user, callback=callback)
    messages.success(
        request, _("Marked as contacted: %(caller)s.") % {"caller": callback.caller_name}
    )
    return redirect_back(request, callback.get_absolute_url())


# --- Phone notes (SRV-3) -----------------------------------------------------------------


@require_safe
def phonenote_list(request):
    """Notes the user may read, per case number (?arende=) or per unit (?enhet=)."""
    case_number = services.normalise_case_number(request.GET.get("arende", ""))
    unit = None
    if request.GET.get("enhet", "").isdigit():
        unit = get_object_or_404(Unit, pk=request.GET["enhet"])
        if not permissions.can_read_unit_notes(request.user, unit):
            raise Http404
    notes = selectors.phone_notes_visible_to(request.user, case_number=case_number, unit=unit)
    context = {"notes": list(notes), "case_number": case_number, "unit": unit}
    return render(request, "service/phonenote_list.html", context)


@require_http_methods(["GET", "POST"])
def phonenote_create(request):
    person = person_of(request.user)
    initial: dict[str, object] = {
        "received_at": timezone.localtime(workdays.now()).replace(second=0)
    }
    if person is not None:
        initial["unit"] = person.unit_id
    form = PhoneNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        note = form.save(actor=request.user)
        if note is not None:
            messages.success(request, _("Phone note saved."))
            return redirect(note)
    return render(request, "service/phonenote_form.html", {"form": form})


@require_safe
def phonenote_detail(request, pk):
    note = get_or_404(selectors.phone_note_detail, pk, PhoneNote)
    if not permissions.can_view_phone_note(request.user, note):
        raise Http404
    history = note.history.select_related("history_user__person").order_by("history_date")
    return render(request, "service/phonenote_detail.html", {"note": note, "history": history})


# --- Threat reports (SRV-4) --------------------------------------------------------------


@require_safe
def threat_list(request):
    reports = list(selectors.threat_reports_visible_to(request.user))
    return render(request, "service/threat_list.html", {"reports": reports})


@require_http_methods(["GET", "POST"])
def threat_create(request):
    reporter = person_of(request.user)
    if reporter is None:
        raise PermissionDenied
    form = ThreatReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = form.save(actor=request.user, reporter=reporter)
        if report is not None:
            if report.manager is not None:
                text = _("The threat is reported; %(name)s is told by e-mail now.") % {
                    "name": report.manager
                }
            else:
                text = _("The threat is reported; Tele kundtjänst is told by e-mail now.")
            messages.success(request, text)
            return redirect(report)
    return render(request, "service/threat_form.html", {"form": form, "reporter": reporter})


def _threat_or_404(request, pk):
    report = get_or_404(selectors.threat_detail, pk, ThreatReport)
    if not permissions.can_view_threat_report(request.user, report):
        raise Http404
    return report


@require_safe
def threat_detail(request, pk):
    report = _threat_or_404(request, pk)
    context = {
        "report": report,
        "can_acknowledge": permissions.can_acknowledge_threat_report(request.user, report),
    }
    return render(request, "service/threat_detail.html", context)


@require_safe
def threat_pdf(request, pk):
    report = _threat_or_404(request, pk)
    return HttpResponse(
        render_pdf("service/pdf/threat_report.html", {"report": report}),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="hotrapport-{report.pk}.pdf"'},
    )


@require_POST
def threat_acknowledge(request, pk):
    report = _threat_or_404(request, pk)
    if not permissions.can_acknowledge_threat_report(request.user, report):
        raise PermissionDenied
    services.threat_report_acknowledge(actor=request.user, report=report)
    messages.success(request, _("Marked as read."))
    return redirect_back(request, report.get_absolute_url())
