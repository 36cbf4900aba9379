from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import ServiceForm, checked_upload
from common.pickers import PickerField, PickerFormMixin, PickerMultipleField

from . import pickers, services
from .models import Person, Unit, normalise_name
from .pickers import PERSON, UNIT


class UnitNameForm(forms.Form):
    """Create or rename a unit; the service repeats the check the database enforces."""

    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Organisation code"),
        max_length=32,
        required=False,
        help_text=_("Optional: the unit's code in the HR system."),
    )

    def __init__(self, *args, parent=None, unit=None, **kwargs):
        self.parent = parent
        self.unit = unit
        if unit is not None:
            kwargs.setdefault("initial", {"name": unit.name, "code": unit.code or ""})
        super().__init__(*args, **kwargs)
        if unit is not None:
            del self.fields["code"]

    def clean_name(self):
        return normalise_name(self.cleaned_data["name"])

    def clean_code(self):
        code = self.cleaned_data.get("code", "").strip()
        if code and Unit.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Another unit already has this code."))
        return code

    def save(self, *, actor):
        try:
            if self.unit is None:
                return services.unit_create(
                    actor=actor,
                    parent=self.parent,
                    name=self.cleaned_data["name"],
                    code=self.cleaned_data.get("code"),
                )
            return services.unit_rename(actor=actor, unit=self.unit, name=self.cleaned_data["name"])
        except forms.ValidationError as exc:
            # A dict of field errors lands on its fields (a name taken a moment ago).
            self.add_error(None, exc)
            return None


class ReadinessForm(forms.ModelForm):
    """ORG-3: reserve plan and training record."""

    class Meta:
        model = Unit
        fields = ["reserve_plan", "reserve_plan_updated_on", "staff_trained_on"]
        widgets = {
            "reserve_plan_updated_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "staff_trained_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reserve_plan": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("reserve_plan", "").strip() and not cleaned.get("reserve_plan_updated_on"):
            self.add_error(
                "reserve_plan_updated_on", _("Give the date the reserve plan was last updated.")
            )
        return cleaned

    def save(self, *, actor):  # type: ignore[override]  # through a service (STYLE.md)
        return services.unit_update_readiness(
            actor=actor,
            unit=self.instance,
            reserve_plan=self.cleaned_data["reserve_plan"],
            reserve_plan_updated_on=self.cleaned_data["reserve_plan_updated_on"],
            staff_trained_on=self.cleaned_data["staff_trained_on"],
        )


class TelesamordnareForm(PickerFormMixin, forms.Form):
    """ORG-2: choose the unit's telesamordnare among the förvaltning's active staff."""

    telesamordnare = PickerMultipleField(
        kind=PERSON,
        source="telesamordnare",
        label=_("Telephony coordinators"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Search for a person and choose them; remove one with its button."),
    )

    def __init__(self, *args, unit, reader=None, **kwargs):
        self.unit = unit
        kwargs.setdefault("initial", {"telesamordnare": list(unit.telesamordnare.all())})
        super().__init__(*args, **kwargs)
        field = cast(PickerMultipleField, self.fields["telesamordnare"])
        field.queryset = pickers.telesamordnare_choices(unit)
        field.params = {"unit": unit.pk}
        field.reader = reader

    def save(self, *, actor):
        return services.unit_set_telesamordnare(
            actor=actor, unit=self.unit, people=self.cleaned_data["telesamordnare"]
        )


class CostCentreForm(PickerFormMixin, ServiceForm, forms.Form):
    """Create or change a cost centre (Tele kundtjänst), saved by cost_centre_save."""

    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = PickerField(
        kind=UNIT, source="cost-centre-unit", label=_("Unit"), queryset=Unit.objects.none()
    )
    budget_manager = PickerField(
        kind=PERSON,
        source="budget-manager",
        label=_("Budget-responsible manager"),
        queryset=Person.objects.none(),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, cost_centre=None, reader=None, **kwargs):
        self.cost_centre = cost_centre
        if cost_centre is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": cost_centre.code,
                    "name": cost_centre.name,
                    "unit": cost_centre.unit_id,
                    "budget_manager": cost_centre.budget_manager_id,
                    "is_active": cost_centre.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        cast(PickerField, self.fields["unit"]).queryset = pickers.all_units()
        field = cast(PickerField, self.fields["budget_manager"])
        field.queryset = pickers.budget_manager_choices(
            cost_centre.budget_manager_id if cost_centre is not None else None
        )
        field.reader = reader

    def save(self, *, actor):
        return self._call(
            services.cost_centre_save,
            actor=actor,
            cost_centre=self.cost_centre,
            **self.cleaned_data,
        )


class OrgFileForm(ServiceForm, forms.Form):
    """ORG-1: the HR system's organisation file, read into a change set (a preview)."""

    file = forms.FileField(
        label=_("Organisation file"),
        help_text=_(
            "CSV (semicolons or commas; UTF-8, UTF-16 or Windows-1252) or XLSX from the HR "
            "system, with the columns described on this page."
        ),
    )

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])

    def save(self, *, actor, scope):
        upload = self.cleaned_data["file"]
        return self._call(
            services.change_set_create,
            actor=actor,
            file_name=upload.name,
            content=upload.read(),
            scope=scope,
        )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.forvaltning_id in (None, obj.pk):
            return obj.name
        return f"{obj.name} ({obj.forvaltning.name})"


class UnitMoveForm(ServiceForm, forms.Form):
    """ORG-1: "Flytta enheten": a new parent among the open units outside its subtree."""

    parent = UnitChoiceField(label=_("New parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args, unit, **kwargs):
        self.unit = unit
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["parent"]).queryset = (
            Unit.objects.filter(closed_on__isnull=True)
            .exclude(path__startswith=unit.path)
            .exclude(pk=unit.parent_id or 0)
            .select_related("forvaltning")
            .order_by("name", "pk")
        )

    def save(self, *, actor):
        return self._call(
            services.unit_move, actor=actor, unit=self.unit, parent=self.cleaned_data["parent"]
        )
