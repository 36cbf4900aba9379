"""Forms of the voicemail pages: validation only; save() calls one service."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import add_service_errors
from common.pickers import PickerField, PickerFormMixin
from subscriptions.models import Subscription
from subscriptions.pickers import PHONE

from . import services
from .choices import BoxKind

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ServiceForm(forms.Form):
    """Calls the service in save(); a ValidationError from it becomes the form's errors."""

    def save(self, **kwargs):
        try:
            return self.call_service(**kwargs)
        except ValidationError as exc:
            add_service_errors(self, exc)
            return None

    def call_service(self, *, actor):
        """The one service this form's save() runs; each form defines it."""
        raise NotImplementedError


class BoxForm(ServiceForm):
    """A form about one voicemail box (`box`), saved by one service: by default the
    service named `service` (in voicemail.services), given the actor, the box and the
    form's one field `field`."""

    service = ""
    field = ""

    def __init__(self, *args, box, **kwargs):
        super().__init__(*args, **kwargs)
        self.box = box

    def call_service(self, *, actor):
        save = getattr(services, self.service)
        return save(actor=actor, box=self.box, **{self.field: self.cleaned_data[self.field]})


class ApproveForm(PickerFormMixin, ServiceForm):
    """VM-1: the enhetschef judges a box suitable for a phone of the unit."""

    subscription = PickerField(
        kind=PHONE, source="approve-phone", label=_("Phone"), queryset=Subscription.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=BoxKind.choices)
    note = forms.CharField(
        label=_("Why it is suitable"),
        max_length=300,
        required=False,
        help_text=_(
            "Direct, personal service is always better: approve a box only where it makes the "
            "phone easier to reach."
        ),
    )

    def __init__(self, *args, subscriptions, unit, reader=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(PickerField, self.fields["subscription"])
        field.queryset, field.reader, field.params = subscriptions, reader, {"unit": unit.pk}

    def call_service(self, *, actor):
        data = self.cleaned_data
        return services.box_approve(
            actor=actor, subscription=data["subscription"], kind=data["kind"], note=data["note"]
        )


class GreetingForm(BoxForm):
    """VM-2 (and VM-3 for a talsvar)."""

    service, field = "box_confirm_greeting", "text"

    text = forms.CharField(
        label=_("What the greeting says"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    confirmed = forms.BooleanField(
        label=_("I have recorded my own personal greeting in the phone system."),
        required=True,
        error_messages={"required": _("Confirm that the personal greeting is recorded.")},
    )

    def __init__(self, *args, box, **kwargs):
        super().__init__(*args, box=box, **kwargs)
        if box.kind == BoxKind.TALSVAR:
            self.fields["text"].label = _("What the announcement tells callers")
            self.fields["text"].help_text = _(
                "A talsvar takes no messages; it informs, for example about the phone hours."
            )
            self.fields["confirmed"].label = _("I have recorded this announcement.")
        else:
            self.fields["text"].help_text = _("Optional: e.g. when you listen to your messages.")


class DeputyForm(BoxForm):
    """VM-4: the deputy (bevakare) listens during an absence."""

    service, field = "box_set_deputy", "deputy"

    deputy = forms.CharField(
        label=_("Deputy's e-mail address or extension"),
        max_length=254,
        required=False,
        help_text=_(
            "A colleague in the municipality who listens to the box while you are away. "
            "Empty: no deputy."
        ),
    )

    def clean_deputy(self):
        text = self.cleaned_data["deputy"].strip()
        return services.find_person(text) if text else None


class RecordDetails(forms.Form):
    """What is said of a registered message (VM-5), when it is registered and later."""

    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    is_public_record = forms.BooleanField(
        label=_("Concerns a matter the authority handles (allmän handling)"), required=False
    )
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        required=False,
        help_text=_("Once the message is registered in the case system."),
    )


class RecordForm(RecordDetails, BoxForm):
    """VM-5: a message registered as received."""

    field_order = ["received_at", "caller", "summary", "is_public_record", "case_number"]

    received_at = forms.DateTimeField(
        label=_("Received (reached the voicemail box)"),
        widget=DATETIME_WIDGET,
        help_text=_(
            "When the message reached the voicemail box, as the phone system shows it: not "
            "when you opened or listened to it. A message is a public record from the moment "
            "it reached the box."
        ),
    )
    caller = forms.CharField(
        label=_("Caller, as given"),
        max_length=200,
        help_text=_("Name and number as the caller gave them; write “not given” otherwise."),
    )

    def call_service(self, *, actor):
        data = self.cleaned_data
        return services.record_register(
            actor=actor,
            box=self.box,
            received_at=data["received_at"],
            caller=data["caller"],
            summary=data["summary"],
            is_public_record=data["is_public_record"],
            case_number=data["case_number"],
        )


class RecordEditForm(RecordDetails, ServiceForm):
    def __init__(self, *args, record, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "summary": record.summary,
                "is_public_record": record.is_public_record,
                "case_number": record.case_number,
            },
        )
        super().__init__(*args, **kwargs)
        self.record = record

    def call_service(self, *, actor):
        data = self.cleaned_data
        return services.record_update(
            actor=actor,
            record=self.record,
            summary=data["summary"],
            is_public_record=data["is_public_record"],
            case_number=data["case_number"],
        )
