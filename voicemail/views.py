"""Voicemail pages (VM-1..VM-5): thin; rules live in services and permissions. A box or
registration the user may not see answers 404; an action they may not take, 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.http import error_messages, redirect_back, saved_message
from organisation.models import Unit
from organisation.permissions import person_of

from . import permissions, selectors, services
from .choices import Source
from .forms import ApproveForm, DeputyForm, GreetingForm, RecordEditForm, RecordForm
from .models import MessageRecord, VoicemailBox


def _box(request, pk):
    try:
        box = selectors.box_detail(pk)
    except VoicemailBox.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_box(request.user, box):
        raise Http404
    return box


def _unit(request, pk):
    unit = get_object_or_404(Unit, pk=pk)
    if not permissions.can_manage_unit(request.user, unit):
        raise PermissionDenied
    return unit


def _data(request):
    """The POST data of a form; an empty POST still binds it (a missing checkbox)."""
    return request.POST if request.method == "POST" else None


def mine(request):
    """The boxes the signed-in person listens to (holder or deputy)."""
    person = person_of(request.user)
    context = {
        "boxes": selectors.boxes_to_listen(person),
        "person": person,
        # Managers reach their units' boxes (and approval, VM-1) from here.
        "managed_units": list(person.managed_units.order_by("path")) if person else [],
    }
    return render(request, "voicemail/box_list.html", context)


def detail(request, pk):
    box = _box(request, pk)
    user = request.user
    context = {
        "box": box,
        "listenings": selectors.listenings_of(box),
        "records": box.records.order_by("-received_at", "-pk")[:20],
        "greeting_ok": services.greeting_is_holders(box),
        "can_listen": permissions.can_listen(user, box) and box.takes_messages,
        "can_switch": permissions.can_switch(user, box),
        "can_confirm": permissions.can_confirm_greeting(user, box),
        "can_set_deputy": permissions.can_set_deputy(user, box),
        "can_register": permissions.can_register_message(user, box) and box.takes_messages,
    }
    return render(request, "voicemail/box_detail.html", context)


@require_POST
def listen(request, pk):
    """VM-4: "avlyssnad" in one click (start page or the box's page)."""
    box = _box(request, pk)
    if not permissions.can_listen(request.user, box):
        raise PermissionDenied(_("Only the holder or the deputy marks the box listened."))
    source = Source.START_PAGE if request.POST.get("from") == "start" else Source.BOX_PAGE
    try:
        listening = services.box_listen(actor=request.user, box=box, source=source)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        if listening.already:
            messages.info(
                request,
                _("%(box)s was already marked as listened today (%(time)s): nothing changed.")
                % {"box": box, "time": timezone.localtime(listening.listened_at).strftime("%H:%M")},
            )
        else:
            messages.success(request, _("Marked as listened: %(box)s.") % {"box": box})
    return redirect_back(request, box.get_absolute_url())


@require_POST
def switch(request, pk):
    box = _box(request, pk)
    if not permissions.can_switch(request.user, box):
        raise PermissionDenied
    on = request.POST.get("on") == "1"
    try:
        services.box_switch(actor=request.user, box=box, on=on)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(
            request, _("The box is switched on.") if on else _("The box is switched off.")
        )
    return redirect(box.get_absolute_url())


@require_http_methods(["GET", "POST"])
def greeting(request, pk):
    box = _box(request, pk)
    if not permissions.can_confirm_greeting(request.user, box):
        raise PermissionDenied
    form = GreetingForm(_data(request), box=box, initial={"text": box.greeting_text})
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(request, _("Personal greeting confirmed."))
        return redirect(box.get_absolute_url())
    return render(request, "voicemail/greeting_form.html", {"form": form, "box": box})


@require_http_methods(["GET", "POST"])
def deputy(request, pk):
    box = _box(request, pk)
    if not permissions.can_set_deputy(request.user, box):
        raise PermissionDenied
    initial = {"deputy": box.deputy.email if box.deputy_id else ""}
    form = DeputyForm(_data(request), box=box, initial=initial)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        messages.success(request, _("Deputy saved."))
        return redirect(box.get_absolute_url())
    return render(request, "voicemail/deputy_form.html", {"form": form, "box": box})


@require_http_methods(["GET", "POST"])
def record_create(request, pk):
    box = _box(request, pk)
    if not permissions.can_register_message(request.user, box) or not box.takes_messages:
        raise PermissionDenied
    form = RecordForm(_data(request), box=box)
    if request.method == "POST" and form.is_valid():
        record = form.save(actor=request.user)
        if record is not None:
            messages.success(request, _("The message is registered."))
            return redirect(record.get_absolute_url())
    return render(request, "voicemail/record_form.html", {"form": form, "box": box})


def _record(request, pk):
    try:
        record = selectors.record_detail(pk)
    except MessageRecord.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_record(request.user, record):
        raise Http404
    return record


def record_detail(request, pk):
    record = _record(request, pk)
    history = record.history.select_related("history_user__person").order_by("-history_date")
    context = {
        "record": record,
        "history": history,
        "can_edit": permissions.can_edit_record(request.user, record),
    }
    return render(request, "voicemail/record_detail.html", context)


@require_http_methods(["GET", "POST"])
def record_edit(request, pk):
    record = _record(request, pk)
    if not permissions.can_edit_record(request.user, record):
        raise PermissionDenied
    form = RecordEditForm(_data(request), record=record)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user):
        saved_message(request, form, _("The registration is updated."))
        return redirect(record.get_absolute_url())
    return render(request, "voicemail/record_edit.html", {"form": form, "record": record})


def unit(request, pk):
    """The unit's boxes (and below) for its managers: approve, see who listens."""
    found = _unit(request, pk)
    context = {
        "unit": found,
        "boxes": selectors.unit_boxes(found),
        "flag_counts": selectors.unit_flag_counts(found),
    }
    return render(request, "voicemail/unit_boxes.html", context)


@require_http_methods(["GET", "POST"])
def approve(request, pk):
    """VM-1: the enhetschef approves a box for a phone of the unit or below."""
    found = get_object_or_404(Unit, pk=pk)
    if not permissions.is_unit_manager(request.user, found):
        raise PermissionDenied
    form = ApproveForm(
        _data(request),
        subscriptions=selectors.approvable_for(request.user, found),
        unit=found,
        reader=request.user,
    )
    if request.method == "POST" and form.is_valid():
        if not permissions.can_approve_box(request.user, form.cleaned_data["subscription"]):
            raise PermissionDenied
        box = form.save(actor=request.user)
        if box is not None:
            messages.success(
                request,
                _(
                    "Voicemail approved for %(phone)s. The holder records a personal greeting "
                    "before switching it on."
                )
                % {"phone": box.subscription},
            )
            return redirect("voicemail:unit", pk=found.pk)
    return render(request, "voicemail/approve_form.html", {"form": form, "unit": found})


def unit_records(request, pk):
    """VM-5: registered messages of the unit and below."""
    found = _unit(request, pk)
    return render(
        request,
        "voicemail/record_list.html",
        {"unit": found, "records": selectors.unit_records(found)},
    )


def case_records(request):
    """VM-5: registered messages by case number (those the user may read)."""
    case_number = request.GET.get("arende", "").strip()
    context = {
        "case_number": case_number,
        "records": selectors.case_records(request.user, case_number) if case_number else [],
    }
    return render(request, "voicemail/record_list.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def link(request, token):
    """VM-4: the signed, expiring link of the daily reminder. The page asks for one click
    (a POST), because mail scanners follow links in e-mails."""
    try:
        box, person = services.read_link_token(token)
    except ValidationError as exc:
        return render(request, "voicemail/link.html", {"error": exc.messages[0]}, status=400)
    if request.method == "POST":
        try:
            services.box_listen(actor=person.user, by=person, box=box, source=Source.EMAIL_LINK)
        except ValidationError as exc:
            return render(request, "voicemail/link.html", {"error": exc.messages[0]}, status=400)
        return render(request, "voicemail/link.html", {"box": box, "done": True})
    return render(request, "voicemail/link.html", {"box": box, "person": person})
