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
    """One row of a unit's review: keep, change or cancel, with a note. Left empty, the
    row stays undecided. Its prefix is the row's id, so a row's input never lands on
    another row however the list is sorted when the form comes back."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, item, **kwargs):
        self.item = item
        kwargs.setdefault(
            "initial", {"decision": item.decision, "note": item.note, "version": item.version}
        )
        kwargs.setdefault("prefix", f"item-{item.pk}")
        super().__init__(*args, **kwargs)
        # In the review's table the column heading and the row's number name the field.
        self.fields["note"].widget.attrs["aria-labelledby"] = f"note-heading rad-{item.pk}-nummer"

    def clean(self):
        data = super().clean() or {}
        if data.get("decision") == Decision.CHANGE and not (data.get("note") or "").strip():
            self.add_error("note", services.CHANGE_NEEDS_NOTE)
        return data


class ReviewDecisionsForm:
    """Every row of a unit's review that can still be decided, on one form: one
    DecisionForm per row, saved by one call of services.review_decide.

    A row counts only when its fields came back (`item-<id>-version`), so a row that was
    not on the page the manager saw is left alone. The "Behåll alla övriga" button
    (`keep_rest`) keeps every row the manager left empty."""

    KEEP_REST = "keep_rest"

    def __init__(self, data=None, *, items, kept_input=None, conflicts=()):
        """`items`: the review's rows as they are now. `kept_input`: {row id: (decision,
        note)} a manager typed for rows someone else changed meanwhile (`conflicts`, their
        ids); those rows show it again, on the row's current version."""
        self.items = items
        self.conflicts = set(conflicts)
        self.keep_rest = data is not None and self.KEEP_REST in data
        self.errors = []
        self.forms = {}
        kept_input = kept_input or {}
        for item in items:
            if item.is_final:
                continue
            if data is not None and f"item-{item.pk}-version" in data:
                self.forms[item.pk] = DecisionForm(data, item=item)
            elif item.pk in kept_input:
                decision, note = kept_input[item.pk]
                initial = {"decision": decision, "note": note, "version": item.version}
                self.forms[item.pk] = DecisionForm(item=item, initial=initial)
            else:
                self.forms[item.pk] = DecisionForm(item=item)

    @property
    def bound_forms(self):
        return [form for form in self.forms.values() if form.is_bound]

    def is_valid(self):
        valid = [form.is_valid() for form in self.bound_forms]  # every row, for its errors
        return all(valid)

    def rows(self):
        """The rows to decide: every bound row with a decision; with keep_rest, the empty
        ones as keep."""
        rows = []
        for form in self.bound_forms:
            decision = form.cleaned_data["decision"]
            if not decision and self.keep_rest:
                decision = Decision.KEEP
            if decision:
                rows.append(
                    services.RowDecision(
                        item_id=form.item.pk,
                        decision=decision,
                        note=form.cleaned_data["note"],
                        version=form.cleaned_data["version"],
                    )
                )
        return rows

    def save(self, *, actor, unit_review):
        """The service's result, or None when it refused (the errors are on the rows, or
        in `errors` when they concern no row)."""
        try:
            return services.review_decide(actor=actor, unit_review=unit_review, rows=self.rows())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                self.errors.extend(exc.messages)
                return None
            for name, errors in exc.error_dict.items():
                for error in errors:
                    form = self.forms.get((error.params or {}).get("item"))
                    if form is not None and name in form.fields:
                        form.add_error(name, error)
                    else:
                        self.errors.extend(error.messages)
            return None

    def has_errors(self):
        return bool(self.errors) or any(form.errors for form in self.bound_forms)
