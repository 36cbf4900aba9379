"""X-3 for voicemail: the boxes on the phones of people who have left.

Wired by importing this module at start-up (VoicemailConfig.ready: `from . import
leavers`), which connects the `person_left` receiver and registers how the compliance
dashboard loads boxes; the nightly job (devices.tasks.sweep_leavers) flags phones and
subscriptions, and voicemail's own job may call sweep_leaver_boxes() as well.
"""

from django.db.models import BigIntegerField, Case, F, When
from django.dispatch import receiver

from compliance.selectors import register_flag_objects
from compliance.services import raise_or_resolve
from organisation.leavers import person_left
from subscriptions.services import leaver_subscriptions

from .models import VoicemailBox


def leaver_boxes():
    """X-3, one query: boxes on a subscription whose holder has left and that is not
    cancelled. To the cost centre's budget-responsible manager (Tele kundtjänst when that
    manager has left too); resolves with the subscription's cancellation or handover."""
    return VoicemailBox.objects.filter(
        subscription__in=leaver_subscriptions().values("pk")
    ).annotate(
        flag_unit_id=F("subscription__unit_id"),
        flag_responsible_id=Case(
            When(
                subscription__cost_centre__budget_manager__is_active=True,
                then=F("subscription__cost_centre__budget_manager"),
            ),
            default=None,
            output_field=BigIntegerField(),
        ),
    )


def sweep_leaver_boxes(*, person_ids=None):
    """X-3 for every box, or (a person was just marked as left) for the boxes on the
    phones of `person_ids` only."""
    within = None
    if person_ids is not None:
        within = VoicemailBox.objects.filter(subscription__holder_id__in=list(person_ids))
    return raise_or_resolve(
        rule_id="X-3",
        breaking=leaver_boxes(),
        unit_field="flag_unit_id",
        responsible_field="flag_responsible_id",
        within=within,
    )


@receiver(person_left, dispatch_uid="voicemail.flag_leaver_boxes")
def _flag_leaver_boxes(sender, person_ids=(), **kwargs):
    sweep_leaver_boxes(person_ids=person_ids)


register_flag_objects(
    VoicemailBox, queryset=lambda: VoicemailBox.objects.select_related("subscription__holder")
)
