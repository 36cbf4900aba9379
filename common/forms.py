"""What every app's forms share: a form whose save() runs one service."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A ValidationError from a service becomes the form's errors: each on its field where
    the form has that field, the rest at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceForm(forms.BaseForm):
    """Mixin for a Form or ModelForm: `self._call(service, **kwargs)` runs the service and
    returns its result, or None with the service's errors on the form (nothing saved)."""

    def _call(self, service: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except ValidationError as exc:
            add_service_errors(self, exc)
            return None


def checked_upload(upload: UploadedFile) -> UploadedFile:
    """An uploaded file within TELEFONI_IMPORT_MAX_BYTES and not empty, checked by its
    size before it is read: a huge upload never reaches memory."""
    size = upload.size or 0
    if size > settings.TELEFONI_IMPORT_MAX_BYTES:
        raise forms.ValidationError(
            _("The file is too large (%(size)s); the largest file accepted is %(max)s.")
            % {
                "size": filesizeformat(size),
                "max": filesizeformat(settings.TELEFONI_IMPORT_MAX_BYTES),
            }
        )
    if size == 0:
        raise forms.ValidationError(_("The file is empty."))
    return upload
