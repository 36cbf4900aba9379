from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services


class UsageUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Operator file"),
        help_text=gettext_lazy(
            "CSV (semicolon-separated with decimal comma, or comma-separated with decimal "
            "point) or XLSX, with the columns described on this page."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before the file is read: a huge upload never reaches memory.
        if upload.size > settings.TELEFONI_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); the largest file accepted is %(max)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.TELEFONI_IMPORT_MAX_BYTES),
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def save(self, *, actor):
        upload = self.cleaned_data["file"]
        return services.usage_import_create(
            actor=actor, file_name=upload.name, content=upload.read()
        )


class ExplainForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Why the cost is what it is; closes the month's flags."),
    )
