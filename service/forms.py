from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from common.forms import ServiceForm
from common.pickers import PickerField, PickerFormMixin
from organisation.models import Person, Unit
from organisation.pickers import PERSON, UNIT, all_units

from . import services
from .choices import Channel

_DATETIME = {"type": "datetime-local"}


def _datetime_widget():
    return forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M")


class CallbackForm(PickerFormMixin, ServiceForm, forms.Form):
    """SRV-2: the message Kundtjänst (or a colleague) takes for someone not there."""

    recipient = PickerField(
        kind=PERSON,
        source="recipient",
        label=_("For whom"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose a person from the list.")},
    )
    caller_name = forms.CharField(label=_("Caller's name"), max_length=200)
    caller_phone = forms.CharField(
        label=_("Caller's phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    caller_email = forms.EmailField(
        label=_("Caller's e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("A phone number or an e-mail address, or both."),
    )
    message = forms.CharField(
        label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    channel = forms.ChoiceField(
        label=_("Passed on by"), choices=Channel.choices, widget=forms.RadioSelect
    )
    passed_on_by_hand = forms.BooleanField(
        label=_("I have sent the SMS or left the voicemail"),
        required=False,
        help_text=_("Only for SMS and voicemail: Telefoni sends the e-mail itself."),
    )
    deadline = forms.DateField(
        label=_("Call back by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, recipients, default_deadline, reader=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(PickerField, self.fields["recipient"])
        field.queryset, field.reader = recipients, reader
        self.fields["deadline"].help_text = _(
            "Empty: within the guarantee, %(day)s (working days; public holidays and the eves "
            "of Midsummer, Christmas and New Year do not count)."
        ) % {"day": formats.date_format(default_deadline, "l j F Y")}

    def save(self, *, actor):
        data = self.cleaned_data
        return self._call(
            services.callback_create,
            actor=actor,
            recipient=data["recipient"],
            caller_name=data["caller_name"],
            caller_phone=data["caller_phone"],
            caller_email=data["caller_email"],
            message=data["message"],
            channel=data["channel"],
            deadline=data["deadline"],
            passed_on_by_hand=data["passed_on_by_hand"],
        )


class PhoneNoteForm(PickerFormMixin, ServiceForm, forms.Form):
    """SRV-3: a note of information received by phone in a case of myndighetsutövning."""

    received_at = forms.DateTimeField(
        label=_("Date and time of the call"), widget=_datetime_widget()
    )
    caller = forms.CharField(
        label=_("Who called"), max_length=200, help_text=_("As the caller gave it.")
    )
    case_number = forms.CharField(
        label=_("Case number"), max_length=50, help_text=_("The diarienummer, e.g. “VOF 2026/123”.")
    )
    unit = PickerField(kind=UNIT, source="unit", label=_("Unit"), queryset=Unit.objects.none())
    summary = forms.CharField(
        label=_("Summary"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(PickerField, self.fields["unit"]).queryset = all_units()

    def clean_case_number(self):
        value = services.normalise_case_number(self.cleaned_data["case_number"])
        allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ0123456789 -/.:")
        if not value or not set(value) <= allowed:
            raise ValidationError(
                _("A case number has letters, digits, spaces and - / . : only."),
                code="case_number",
            )
        return value

    def save(self, *, actor):
        return self._call(services.phone_note_create, actor=actor, **self.cleaned_data)


class ThreatReportForm(ServiceForm, forms.Form):
    """SRV-4: a threatening call, reported to the nearest manager."""

    occurred_at = forms.DateTimeField(
        label=_("When the call came"),
        widget=_datetime_widget(),
        error_messages={"required": _("Say when the call came.")},
    )
    what_was_said = forms.CharField(
        label=_("What was said"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("As exactly as you remember it."),
    )
    caller = forms.CharField(label=_("Caller, if known"), max_length=200, required=False)
    number_shown = forms.CharField(
        label=_("Number shown, if any"),
        max_length=32,
        required=False,
        help_text=_("What the phone's display showed; for the police report."),
    )

    def save(self, *, actor, reporter):
        return self._call(
            services.threat_report_create, actor=actor, reporter=reporter, **self.cleaned_data
        )
