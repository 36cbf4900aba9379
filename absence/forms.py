from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import add_service_errors
from organisation.numbers import format_number

from . import services
from .choices import FOLLOW_TARGETS, PHONE_TARGETS, Kind, Reason, Target


class PhonesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        number = format_number(obj.number)
        return f"{obj.get_kind_display()} {number}" + (
            f" ({obj.extension})" if obj.extension else ""
        )


class RedirectForm(forms.Form):
    """ABS-1/ABS-2: a hänvisning or medflyttning of the person's own phones. For a
    manager setting one for a sick employee (ABS-3) the reason is fixed to Sick."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.HANVISNING)
    phones = PhonesField(label=_("Phones"), queryset=None)
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *Reason.choices], required=False
    )
    starts_at = forms.DateTimeField(
        label=_("From"),
        required=False,
        help_text=_("Empty: from now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        required=False,
        help_text=_("A follow-me may be left open."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    target = forms.ChoiceField(label=_("Calls go to"), choices=Target.choices)
    target_number = forms.CharField(
        label=_("Extension or number"),
        max_length=32,
        required=False,
        help_text=_("For a colleague, a reception or a mobile: an extension or municipal number."),
    )
    message = forms.CharField(label=_("Message to callers"), max_length=160, required=False)

    def __init__(self, *args, phones, sick_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sick_only = sick_only
        cast(forms.ModelChoiceField, self.fields["phones"]).queryset = phones
        self.fields["phones"].initial = list(phones.values_list("pk", flat=True))
        if sick_only:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (Kind.HANVISNING, Kind.HANVISNING.label)
            ]
            cast(forms.ChoiceField, self.fields["reason"]).choices = [
                (Reason.SICK, Reason.SICK.label)
            ]
            self.fields["reason"].initial = Reason.SICK

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, target = data.get("kind"), data.get("target")
        if kind == Kind.HANVISNING and not data.get("reason"):
            self.add_error("reason", _("Choose a reason."))
        if kind == Kind.HANVISNING and not data.get("ends_at") and "ends_at" not in self.errors:
            self.add_error("ends_at", _("Say until when."))
        if kind == Kind.MEDFLYTTNING and target and target not in FOLLOW_TARGETS:
            self.add_error(
                "target", _("A follow-me goes to another extension or a municipal mobile.")
            )
        data["target_subscription"] = None
        if target in PHONE_TARGETS:
            text = data.get("target_number", "").strip()
            if not text:
                self.add_error("target_number", _("Give the extension or number calls go to."))
            else:
                try:
                    data["target_subscription"] = services.municipal_subscription(text)
                except ValidationError as exc:
                    self.add_error("target_number", exc)
        return data

    def save(self, *, actor):
        data = self.cleaned_data
        try:
            return services.redirect_create(
                actor=actor,
                subscriptions=list(data["phones"]),
                kind=data["kind"],
                reason=Reason.SICK if self.sick_only else data.get("reason", ""),
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                target=data["target"],
                target_subscription=data["target_subscription"],
                message=data.get("message", ""),
                why=str(_("Sick-leave redirect set by the manager")) if self.sick_only else None,
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
            return None


class PhoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()} {format_number(obj.number)}"


class TripForm(forms.Form):
    subscription = PhoneChoiceField(label=_("Phone taken along"), queryset=None)
    destination = forms.CharField(label=_("Destination"), max_length=100)
    starts_on = forms.DateField(
        label=_("Leaves"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Returns"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, phones, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["subscription"]).queryset = phones

    def save(self, *, actor, person):
        try:
            return services.trip_register(actor=actor, person=person, **self.cleaned_data)
        except ValidationError as exc:
            add_service_errors(self, exc)
            return None


class UnitHoursForm(forms.Form):
    workday_starts = forms.TimeField(
        label=_("Working day starts"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    workday_ends = forms.TimeField(
        label=_("Working day ends"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    phone_hours = forms.CharField(
        label=_("Phone hours"),
        max_length=200,
        required=False,
        help_text=_("Telefontid, if the unit answers only at certain times, e.g. “Mon–Fri 8–10”."),
    )

    def save(self, *, actor, unit):
        try:
            return services.unit_set_hours(actor=actor, unit=unit, **self.cleaned_data)
        except ValidationError as exc:
            add_service_errors(self, exc)
            return None
