from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.fields import optional_fk


class Flag(models.Model):
    """One object breaking one rule, from when a sweep first saw it until it holds again.

    Flags are opened and resolved only by compliance.services (raise_or_resolve for a
    sweep, resolve_for for one object put right) and read by other apps only through
    compliance.selectors; the row itself is the history (opened, resolved, who was told
    and when).
    """

    rule = models.CharField(_("requirement"), max_length=16, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="flags",
    )
    responsible = optional_fk(
        "organisation.Person", _("responsible"), related_name="flags", on_delete=models.SET_NULL
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    notified_to = models.JSONField(_("notified addresses"), default=list, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "rule",
                "content_type",
                "object_id",
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_rule_and_object",
            ),
        ]
        indexes = [
            models.Index(
                "responsible",
                name="flag_open_by_responsible",
                condition=Q(resolved_at__isnull=True),
            ),
            models.Index(
                "rule",
                "notified_at",
                name="flag_unnotified",
                condition=Q(notified_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.rule} #{self.object_id}"

    @property
    def is_open(self):
        return self.resolved_at is None
