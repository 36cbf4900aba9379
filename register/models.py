from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import REGISTER_IMPORT_ENDED, RegisterImportStatus


class RegisterImport(models.Model):
    """One upload of today's register (cost centres, subscriptions, devices, SIM cards)
    and how far its import has come. The files are RegisterImportFile rows."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegisterImportStatus.choices,
        default=RegisterImportStatus.PENDING,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    updated_at = models.DateTimeField(_("last moved"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # [{"sheet", "line", "column", "value", "reason"}], Swedish reasons; PIN and PUK values
    # are never stored here.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # {"cost_centres": {"created": n, "updated": n, "unchanged": n}, "subscriptions": ...}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    failure = models.TextField(_("why the import failed"), blank=True)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="register_import_progress"),
        ]

    def __str__(self):
        return f"{self.uploaded_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("register:import_detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in REGISTER_IMPORT_ENDED

    @property
    def file_names(self):
        return ", ".join(upload.name for upload in self.files.all())


class RegisterImportFile(models.Model):
    """One uploaded file of a register import (a CSV per kind, or one XLSX)."""

    register_import = models.ForeignKey(
        RegisterImport, on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)

    class Meta:
        verbose_name = _("register import file")
        verbose_name_plural = _("register import files")
        ordering = ["pk"]

    def __str__(self):
        return self.name
