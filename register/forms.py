from django import forms
from django.utils.translation import gettext_lazy

from common.forms import checked_upload

from . import services


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files (Django's documented pattern for <input multiple>)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class RegisterUploadForm(forms.Form):
    register_files = MultipleFileField(
        label=gettext_lazy("Register files"),
        help_text=gettext_lazy(
            "One XLSX workbook with a sheet per kind, or one CSV file per kind (choose "
            "several files at once). The first line of each names the columns shown on this "
            "page."
        ),
    )

    def clean_register_files(self):
        return [checked_upload(upload) for upload in self.cleaned_data["register_files"]]

    def save(self, *, actor):
        return services.register_import_create(
            actor=actor,
            files=[(upload.name, upload.read()) for upload in self.cleaned_data["register_files"]],
        )
