from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.guideline import guideline

from . import services
from .choices import Decision


def _call(form, service, **kwargs):
    """Run a service; its errors land next to the fields (or above the form)."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


class RoundOpenForm(forms.Form):
    """Tele kundtjänst opens a year's annual review."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day by which every manager has signed the review of their unit."),
    )

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {
                "year": today.year,
                "deadline": today + timedelta(days=guideline().review_deadline_days),
            },
        )
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return _call(
            self,
            services.review_round_open,
            actor=actor,
            year=self.cleaned_data["year"],
            deadline=self.cleaned_data["deadline"],
        )


class DecisionForm(forms.Form):
    """One row of a unit's review: keep, change or cancel, with a note."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        help_text=_("For a change: what should be changed. For a cancellation: why."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, item, **kwargs):
        self.item = item
        kwargs.setdefault(
            "initial", {"decision": item.decision, "note": item.note, "version": item.version}
        )
        kwargs.setdefault("prefix", f"item-{item.pk}")
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return _call(
            self,
            services.item_decide,
            actor=actor,
            item=self.item,
            decision=self.cleaned_data["decision"],
            note=self.cleaned_data["note"],
            version=self.cleaned_data["version"],
        )
