from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CostCentre(models.Model):
    """A kostnadsställe: every subscription is tied to one (SUB-1, DIR-1)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="cost_centres",
    )
    budget_manager = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("budget-responsible manager"),
        on_delete=models.PROTECT,
        related_name="budget_cost_centres",
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="") & ~Q(name=""), name="cost_centre_code_and_name_given"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("costs:cost_centre_detail", args=[self.pk])
