from typing import cast

from django import forms
from django.db import models
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common.forms import ServiceForm
from common.pickers import PickerField, PickerFormMixin
from organisation.models import CostCentre, Person, Unit
from organisation.pickers import PERSON, UNIT
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from subscriptions.pickers import PHONE

from . import pickers, services
from .choices import ItemKind, MobileReason, OrderKind
from .models import CatalogueItem, Device, LossReport
from .validators import validate_iccid, validate_imei


def _verbose(name):
    """A Device field's label, as the ModelForm would give it."""
    field = cast(models.Field, Device._meta.get_field(name))
    return lazy(lambda: capfirst(field.verbose_name), str)()


class CatalogueItemForm(ServiceForm, forms.ModelForm):
    class Meta:
        model = CatalogueItem
        fields = ["name", "kind", "description", "price", "is_orderable"]
        localized_fields = ["price"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def save(self, *, actor):  # type: ignore[override]  # through a service (STYLE.md)
        return self._call(services.catalogue_item_save, actor=actor, item=self.instance)


class OrderForm(PickerFormMixin, ServiceForm, forms.Form):
    """DEV-2: a telesamordnare's order for a unit of their own förvaltning."""

    kind = forms.ChoiceField(label=_("What is ordered"), choices=OrderKind.choices)
    unit = PickerField(
        kind=UNIT, source="order-unit", label=_("Unit"), queryset=Unit.objects.none()
    )
    cost_centre = forms.ModelChoiceField(label=_("Cost centre"), queryset=CostCentre.objects.none())
    item = forms.ModelChoiceField(
        label=_("From the catalogue"),
        queryset=CatalogueItem.objects.none(),
        required=False,
        help_text=_(
            "The phone or accessory; for a new subscription, the phone that comes with it."
        ),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, initial=1)
    subscription_kind = forms.ChoiceField(
        label=_("Kind of subscription"), choices=[("", "—"), *Kind.choices], required=False
    )
    holder = PickerField(
        kind=PERSON,
        source="order-holder",
        label=_("For whom"),
        queryset=Person.objects.none(),
        required=False,
    )
    function_name = forms.CharField(
        label=_("Function"),
        max_length=200,
        required=False,
        help_text=_("For a function or group phone, e.g. “Receptionen”."),
    )
    reason = forms.ChoiceField(
        label=_("Reason for a MEX or mobile phone"),
        choices=[("", "—"), *MobileReason.choices],
        required=False,
        help_text=_("The enhetschef decides on a MEX or mobile phone with one of these reasons."),
    )
    device = forms.ModelChoiceField(
        label=_("Device (fault report)"), queryset=Device.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("For a fault report: what is wrong."),
    )

    def __init__(self, *args, forvaltningar, reader=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(PickerField, self.fields["unit"]).queryset = pickers.order_units(forvaltningar)
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "You can only order for your own förvaltning."
        )
        cast(
            forms.ModelChoiceField, self.fields["cost_centre"]
        ).queryset = CostCentre.objects.filter(
            unit__forvaltning_id__in=forvaltningar, is_active=True
        ).order_by("code")
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = CatalogueItem.objects.filter(
            is_orderable=True
        ).order_by("kind", "name")
        self.fields["item"].error_messages["invalid_choice"] = _(
            "This item can no longer be ordered."
        )
        holder = cast(PickerField, self.fields["holder"])
        holder.queryset = pickers.order_holders(forvaltningar)
        holder.reader = reader
        self.fields["holder"].error_messages["invalid_choice"] = _(
            "Choose a person in your own förvaltning."
        )
        cast(forms.ModelChoiceField, self.fields["device"]).queryset = Device.objects.filter(
            unit__forvaltning_id__in=forvaltningar
        ).select_related("model")

    def save(self, *, actor, send=False):
        data = self.cleaned_data
        return self._call(
            services.order_create,
            actor=actor,
            send=send,
            unit=data["unit"],
            cost_centre=data["cost_centre"],
            kind=data["kind"],
            item=data["item"],
            quantity=data["quantity"],
            subscription_kind=data["subscription_kind"]
            if data["kind"] == OrderKind.SUBSCRIPTION
            else "",
            holder=data["holder"],
            function_name=data["function_name"].strip(),
            reason=data["reason"],
            device=data["device"],
            description=data["description"].strip(),
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DeliverForm(ServiceForm, forms.Form):
    """Tele kundtjänst delivers an order: the number, the phone's IMEI, the SIM card."""

    number = forms.CharField(label=_("Number"), max_length=32, required=False)
    extension = forms.CharField(label=_("Extension"), max_length=8, required=False)
    imei = forms.CharField(
        label=_("IMEI"), max_length=15, required=False, validators=[validate_imei]
    )
    serial_number = forms.CharField(label=_("Serial number"), max_length=64, required=False)
    theft_mark = forms.CharField(label=_("Theft-marking number"), max_length=64, required=False)
    iccid = forms.CharField(
        label=_("ICCID"), max_length=20, required=False, validators=[validate_iccid]
    )
    pin = forms.CharField(label=_("PIN"), max_length=8, required=False)
    puk = forms.CharField(label=_("PUK"), max_length=16, required=False)

    def __init__(self, *args, order, **kwargs):
        self.order = order
        super().__init__(*args, **kwargs)
        if order.kind != OrderKind.SUBSCRIPTION:
            for name in ("number", "extension"):
                del self.fields[name]
        if not services._delivers_device(order):
            for name in ("imei", "serial_number", "theft_mark"):
                del self.fields[name]
        if order.kind not in (OrderKind.SUBSCRIPTION, OrderKind.PHONE):
            for name in ("iccid", "pin", "puk"):
                del self.fields[name]

    def save(self, *, actor):
        return self._call(
            services.order_deliver, actor=actor, order=self.order, **self.cleaned_data
        )


class DeviceForm(PickerFormMixin, ServiceForm, forms.ModelForm):
    """DEV-3: a device of a förvaltning's inventory. Its cost centre is set when it is
    added; later it changes only through Tele kundtjänst (DEV-4)."""

    class Meta:
        model = Device
        fields = [
            "model",
            "imei",
            "serial_number",
            "theft_mark",
            "holder",
            "function_name",
            "unit",
            "cost_centre",
            "subscription",
            "status",
        ]

    holder = PickerField(
        kind=PERSON,
        source="device-holder",
        label=_verbose("holder"),
        queryset=Person.objects.none(),
        required=False,
    )
    unit = PickerField(
        kind=UNIT, source="device-unit", label=_verbose("unit"), queryset=Unit.objects.none()
    )
    subscription = PickerField(
        kind=PHONE,
        source="device-phone",
        label=_verbose("subscription"),
        queryset=Subscription.objects.none(),
        required=False,
    )

    def __init__(self, *args, forvaltning, reader=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, rows in (
            ("holder", pickers.device_holders(forvaltning)),
            ("unit", pickers.device_units(forvaltning)),
            ("subscription", pickers.device_phones(forvaltning)),
        ):
            field = cast(PickerField, self.fields[name])
            field.queryset, field.reader = rows, reader
            field.params = {"forvaltning": forvaltning.pk}
        cast(forms.ModelChoiceField, self.fields["model"]).queryset = CatalogueItem.objects.filter(
            kind=ItemKind.PHONE
        )
        if self.instance.pk:
            del self.fields["cost_centre"]
        else:
            cast(
                forms.ModelChoiceField, self.fields["cost_centre"]
            ).queryset = CostCentre.objects.filter(unit__forvaltning=forvaltning)

    def clean_imei(self):
        return self.cleaned_data["imei"] or None

    def _post_clean(self):
        # The service validates and saves; the form only collects the values.
        pass

    def save(self, *, actor):  # type: ignore[override]  # through a service (STYLE.md)
        data = {name: self.cleaned_data[name] for name in self.fields}
        if self.instance.pk:
            return self._call(services.device_update, actor=actor, device=self.instance, **data)
        return self._call(services.device_create, actor=actor, **data)


class CostCentreChangeForm(ServiceForm, forms.Form):
    cost_centre = forms.ModelChoiceField(
        label=_("New cost centre"), queryset=CostCentre.objects.none()
    )
    message = forms.CharField(
        label=_("Message to Tele kundtjänst"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, device, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["cost_centre"]
        ).queryset = CostCentre.objects.filter(
            unit__forvaltning_id=device.unit.forvaltning_id, is_active=True
        ).exclude(pk=device.cost_centre_id)

    def save(self, *, actor):
        return self._call(
            services.device_cost_centre_request,
            actor=actor,
            device=self.device,
            cost_centre=self.cleaned_data["cost_centre"],
            message=self.cleaned_data["message"],
        )


class SimForm(ServiceForm, forms.Form):
    iccid = forms.CharField(label=_("ICCID"), max_length=20, validators=[validate_iccid])
    pin = forms.RegexField(label=_("PIN"), regex=r"^[0-9]{4,8}$", max_length=8)
    puk = forms.RegexField(label=_("PUK"), regex=r"^[0-9]{8,16}$", max_length=16)

    def __init__(self, *args, device, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return self._call(
            services.sim_create,
            actor=actor,
            subscription=self.device.subscription,
            device=self.device,
            **self.cleaned_data,
        )


class LossReportForm(ServiceForm, forms.ModelForm):
    class Meta:
        model = LossReport
        fields = ["kind", "occurred_on", "police_report_number", "description"]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, device, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        pass

    def save(self, *, actor):  # type: ignore[override]  # through a service (STYLE.md)
        return self._call(
            services.loss_report_create, actor=actor, device=self.device, **self.cleaned_data
        )


class BarringForm(ServiceForm, forms.Form):
    """BAR-2: open or close international, premium-rate and directory enquiry calls."""

    open_international = forms.BooleanField(label=_("International calls open"), required=False)
    open_premium = forms.BooleanField(label=_("Premium-rate calls open"), required=False)
    open_directory_enquiry = forms.BooleanField(
        label=_("Directory enquiry (118 118 and the like) open"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Kept with the change, e.g. “Work trip to Norway in May”."),
    )

    def __init__(self, *args, subscription, **kwargs):
        self.subscription = subscription
        kwargs.setdefault(
            "initial", {name: getattr(subscription, name) for name in services.BARRING_FIELDS}
        )
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return self._call(
            services.barring_change_request,
            actor=actor,
            subscription=self.subscription,
            values={name: self.cleaned_data[name] for name in services.BARRING_FIELDS},
            reason=self.cleaned_data["reason"],
        )
