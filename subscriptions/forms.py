from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import ServiceForm
from common.pickers import PickerField, PickerFormMixin
from organisation.models import CostCentre, Person, Unit
from organisation.numbers import format_number, parse_number
from organisation.pickers import PERSON, UNIT, all_units

from . import services
from .choices import RequestKind, RequestStatus
from .pickers import hand_over_holders, hand_over_units, own_entry_units
from .selectors import concrete_field


def _max_length(field):
    return concrete_field(Person, field).max_length


class EntryForm(PickerFormMixin, forms.Form):
    """The four fields of a directory entry a holder keeps current (DIR-4)."""

    title = forms.CharField(label=_("Title"), max_length=_max_length("title"))
    room = forms.CharField(label=_("Room"), max_length=_max_length("room"), required=False)
    secondary_number = forms.CharField(
        label=_("Secondary number"),
        # Written forms are longer than E.164 ("+46 (0)19-21 10 00"); the parsed number
        # always fits the model's 16 characters.
        max_length=32,
        required=False,
        help_text=_("Any written form: 019-21 10 00, 070-123 45 67 or +46 19 21 10 00."),
    )
    unit = PickerField(kind=UNIT, source="unit", label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, person, units, **kwargs):
        self.person = person
        kwargs.setdefault(
            "initial",
            {
                "title": person.title,
                "room": person.room,
                "secondary_number": format_number(person.secondary_number),
                "unit": person.unit_id,
            },
        )
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units

    def clean_secondary_number(self):
        text = self.cleaned_data["secondary_number"].strip()
        return parse_number(text) if text else ""

    def values(self):
        """The entry values in the services' shape (unit as a pk)."""
        return {
            "title": self.cleaned_data["title"],
            "room": self.cleaned_data["room"],
            "secondary_number": self.cleaned_data["secondary_number"],
            "unit": self.cleaned_data["unit"].pk,
        }

    def _call(self, service, **kwargs):
        """Run a service; its field errors land next to the fields."""
        try:
            return service(**kwargs)
        except ValidationError as exc:
            self.add_error(None, exc)
            return None


class OwnEntryForm(EntryForm):
    """Mina uppgifter: the holder's own entry; saving makes a change request. The unit is
    chosen within the holder's own förvaltning."""

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, person=person, units=own_entry_units(person), **kwargs)
        cast(PickerField, self.fields["unit"]).source = "own-entry-unit"
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Choose a unit in your own förvaltning."
        )
        self.fields["unit"].help_text = _(
            "Units of your own förvaltning. Tele kundtjänst moves entries between förvaltningar."
        )

    def save(self, *, actor):
        """The new change request, or None when nothing differs (or the service refused:
        then the form has the errors)."""
        return self._call(
            services.entry_change_request_create,
            actor=actor,
            person=self.person,
            new_values=self.values(),
        )


class DeskEntryForm(EntryForm):
    """Tele kundtjänst edits an entry directly, any unit of the municipality."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Kept in the entry's history, e.g. “Phoned in by the holder”."),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, person=person, units=all_units(), **kwargs)

    def save(self, *, actor):
        """True when the entry changed, False when nothing differed, None on errors."""
        before = services.entry_values(self.person)
        person = self._call(
            services.entry_update,
            actor=actor,
            person=self.person,
            values=self.values(),
            reason=self.cleaned_data["reason"],
        )
        if person is None:
            return None
        return services.entry_values(person) != before


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The requester sees this reason and gets it by e-mail."),
    )


class ChangeRequestFilterForm(forms.Form):
    """The queue's filters; without any, the requests waiting for a decision."""

    ALL = "all"

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*RequestStatus.choices, (ALL, _("All"))],
        required=False,
    )
    forvaltning = forms.ModelChoiceField(
        label=_("Förvaltning"),
        queryset=Unit.objects.filter(parent__isnull=True).order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    older_than_days = forms.IntegerField(
        label=_("Older than (days)"), min_value=0, max_value=3650, required=False
    )
    # The start page's inbox links to one kind (issue 19.1: operator blocks apart).
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *RequestKind.choices], required=False
    )

    def filters(self):
        """Keyword arguments for selectors.change_request_queue; an invalid filter is
        left out (the form shows its error)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        status = data.get("status") or RequestStatus.PENDING
        return {
            "status": None if status == self.ALL else status,
            "forvaltning": data.get("forvaltning"),
            "older_than_days": data.get("older_than_days"),
            "kind": data.get("kind") or None,
        }


class SubscriptionEndForm(ServiceForm, forms.Form):
    """SUB-5, X-3: "Säg upp" in one action."""

    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=200,
        required=False,
        help_text=_("E.g. “The holder has left” or “No traffic since May”. Kept in the history."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel the subscription"),
        help_text=_(
            "The number is quarantined before it can be given out again, Tele kundtjänst "
            "cancels it at the operator and the phone goes back to stock."
        ),
    )

    def __init__(self, *args, subscription, **kwargs):
        self.subscription = subscription
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return self._call(
            services.subscription_end,
            actor=actor,
            subscription=self.subscription,
            reason=self.cleaned_data["reason"],
        )


class HandOverForm(PickerFormMixin, ServiceForm, forms.Form):
    """X-3: "Lämna över till ...": a new holder, and if chosen a new unit and cost centre."""

    holder = PickerField(
        kind=PERSON,
        source="hand-over-holder",
        label=_("New holder"),
        queryset=Person.objects.none(),
    )
    unit = PickerField(
        kind=UNIT,
        source="hand-over-unit",
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Empty: the subscription stays with its unit."),
    )
    cost_centre = forms.ModelChoiceField(
        label=_("Cost centre"),
        queryset=CostCentre.objects.none(),
        required=False,
        help_text=_("Empty: the subscription stays on its cost centre."),
    )
    reason = forms.CharField(label=_("Why (optional)"), max_length=200, required=False)

    def __init__(self, *args, subscription, reader=None, **kwargs):
        self.subscription = subscription
        super().__init__(*args, **kwargs)
        for name, rows in (
            ("holder", hand_over_holders(subscription)),
            ("unit", hand_over_units()),
        ):
            field = cast(PickerField, self.fields[name])
            field.queryset, field.reader = rows, reader
            field.params = {"subscription": subscription.pk}
        cast(
            forms.ModelChoiceField, self.fields["cost_centre"]
        ).queryset = CostCentre.objects.filter(is_active=True).order_by("code")

    def save(self, *, actor):
        return self._call(
            services.subscription_hand_over,
            actor=actor,
            subscription=self.subscription,
            holder=self.cleaned_data["holder"],
            unit=self.cleaned_data["unit"],
            cost_centre=self.cleaned_data["cost_centre"],
            reason=self.cleaned_data["reason"],
        )
