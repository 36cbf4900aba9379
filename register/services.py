"""The register import's state changes: storing an upload and running it (a Celery task
queued after commit), like the usage import (costs.services)."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.tasks import enqueue_on_commit
from common.uploads import UploadRejected as ImportRejected

from .choices import RegisterImportStatus
from .importer import RegisterRejected, load_register
from .models import RegisterImport, RegisterImportFile
from .permissions import can_import_register

log = logging.getLogger(__name__)


@transaction.atomic
def register_import_create(*, actor: User, files: list[tuple[str, bytes]]) -> RegisterImport:
    """Store the uploaded files and queue their import (the task runs after commit)."""
    if not can_import_register(actor):
        raise PermissionDenied
    if not files:
        raise ValidationError(_("Choose at least one file."), code="required")
    if sum(len(content) for _name, content in files) > settings.TELEFONI_IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is too large."), code="too_large")
    register_import = RegisterImport.objects.create(uploaded_by=actor)
    RegisterImportFile.objects.bulk_create(
        RegisterImportFile(register_import=register_import, name=name[:255], content=content)
        for name, content in files
    )
    enqueue_on_commit("register.tasks.run_register_import", import_id=register_import.pk)
    return register_import


def _set(import_id: int, **fields: Any) -> None:
    RegisterImport.objects.filter(pk=import_id).update(updated_at=timezone.now(), **fields)


def register_import_run(*, import_id: int) -> str | None:
    """Check and write one stored upload; returns the status it ended in (None when the
    import was not waiting: missing, or claimed by another delivery of the task). Progress
    is written outside the import's transaction so the page sees it move."""
    claimed = RegisterImport.objects.filter(
        pk=import_id, status=RegisterImportStatus.PENDING
    ).update(status=RegisterImportStatus.RUNNING, progress=5, updated_at=timezone.now())
    if not claimed:
        return None
    register_import = RegisterImport.objects.select_related("uploaded_by").get(pk=import_id)
    files = [(upload.name, bytes(upload.content)) for upload in register_import.files.all()]
    try:
        result = load_register(
            files,
            actor=register_import.uploaded_by,
            progress=lambda percent: _set(import_id, progress=percent),
        )
    except (ImportRejected, RegisterRejected) as rejected:
        errors = getattr(rejected, "errors", None) or [
            {"sheet": "", "line": "", "column": "", "value": "", "reason": rejected.message}
        ]
        _set(
            import_id,
            status=RegisterImportStatus.REJECTED,
            progress=100,
            errors=errors,
            error_count=rejected.error_count or len(errors),
            finished_at=timezone.now(),
        )
        return RegisterImportStatus.REJECTED
    except Exception:
        log.exception("Register import %s failed", import_id)
        _set(
            import_id,
            status=RegisterImportStatus.FAILED,
            progress=100,
            failure=str(
                gettext_lazy(
                    "A technical fault stopped the import (it has been logged); nothing was "
                    "imported."
                )
            ),
            finished_at=timezone.now(),
        )
        return RegisterImportStatus.FAILED
    _set(
        import_id,
        status=RegisterImportStatus.DONE,
        progress=100,
        counts=result.counts,
        finished_at=timezone.now(),
    )
    return RegisterImportStatus.DONE
