from datetime import date
from typing import cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.forms import checked_upload
from common.pickers import PickerField, PickerFormMixin
from subscriptions.models import Subscription
from subscriptions.pickers import PHONE

from . import services
from .choices import StatementAction


class UsageUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Operator file"),
        help_text=gettext_lazy(
            "CSV (semicolon-separated with decimal comma, or comma-separated with decimal "
            "point) or XLSX, with the columns described on this page."
        ),
    )

    replace_month = forms.BooleanField(
        label=gettext_lazy("Replace the whole month"),
        required=False,
        help_text=gettext_lazy(
            "Also remove the month's rows that the file does not carry (within your cost "
            "centres). You first see a preview of what would be added, changed, left alone "
            "and removed, and decide then. Without this, the file replaces only its own rows."
        ),
    )

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])

    def save(self, *, actor):
        upload = self.cleaned_data["file"]
        return services.usage_import_create(
            actor=actor,
            file_name=upload.name,
            content=upload.read(),
            replace_month=self.cleaned_data["replace_month"],
        )


class ImportDecisionForm(forms.Form):
    """The uploader's answer to a preview (services.usage_import_decide)."""

    decision = forms.ChoiceField(
        choices=[
            ("replace", gettext_lazy("Replace the whole month")),
            ("merge", gettext_lazy("Import only the file's rows")),
            ("cancel", gettext_lazy("Cancel")),
        ]
    )


class ExplainForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Why the cost is what it is; closes the month's flags."),
    )


# --- COST-3: itemised statements ------------------------------------------------------------

GROUNDS_REQUIRED = gettext_lazy(
    "State the special grounds: an itemised statement is given only on special grounds."
)


class MonthField(forms.CharField):
    """A month written as YYYY-MM (the browser's month input) -> the first of that month."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.replace("/", "-").split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("Write the month as YYYY-MM, e.g. 2026-10."), code="invalid"
            ) from None


class StatementRequestForm(PickerFormMixin, forms.Form):
    subscription = PickerField(
        kind=PHONE,
        source="statement-phone",
        label=gettext_lazy("Subscription"),
        queryset=Subscription.objects.none(),
    )
    period = MonthField(label=gettext_lazy("Month"), help_text=gettext_lazy("YYYY-MM"))
    grounds = forms.CharField(
        label=gettext_lazy("Special grounds"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=gettext_lazy(
            "Why the calls of this phone must be itemised. The statement is shown only to "
            "you, for a limited time, and every view is logged."
        ),
        error_messages={"required": GROUNDS_REQUIRED},
    )

    def __init__(self, *args, subscriptions, reader=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(PickerField, self.fields["subscription"])
        field.queryset = subscriptions
        field.reader = reader

    def clean_grounds(self):
        grounds = self.cleaned_data["grounds"].strip()
        if not grounds:
            raise forms.ValidationError(GROUNDS_REQUIRED)
        return grounds

    def save(self, *, actor):
        return services.statement_request_create(actor=actor, **self.cleaned_data)


class StatementApproveForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The operator's call list"),
        help_text=gettext_lazy(
            "CSV with the columns Datum; Tid; Nummer; Längd; Kostnad (the calls of this "
            "month), or the operator's PDF."
        ),
    )

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])


class StatementRefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for refusal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("Say why the request is refused.")},
    )


class StatementAccessFilterForm(forms.Form):
    statement = forms.IntegerField(label=gettext_lazy("Request no."), required=False, min_value=1)
    user = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)
    action = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", _("All")),
            *StatementAction.choices,
        ]

    def filter(self, accesses):
        if not self.is_valid():
            return accesses.none()
        data = self.cleaned_data
        if data["statement"]:
            accesses = accesses.filter(statement_id=data["statement"])
        if data["user"]:
            accesses = accesses.filter(user__username__icontains=data["user"].strip())
        if data["action"]:
            accesses = accesses.filter(action=data["action"])
        if data["since"]:
            accesses = accesses.filter(accessed_at__date__gte=data["since"])
        if data["until"]:
            accesses = accesses.filter(accessed_at__date__lte=data["until"])
        return accesses
