"""X-3: people who leave. Marking a person as left, by hand or from the directory (LDAP).

A person who has left is inactive (Person.is_active False, kept with history: who marked
them and why) and their user account is deactivated, so they can no longer sign in. Apps
above organisation flag what the person leaves behind (subscriptions, phones, voicemail
boxes) through the `person_left` signal, sent once the marking is committed; organisation
imports none of them.

The directory's leavers are found by the nightly directory sync
(organisation.directory_sync), which marks them with `mark_left` within its safety
threshold (LDAP_LEAVERS, LDAP_LEAVERS_MAX_COUNT, LDAP_LEAVERS_MAX_PERCENT, built by
telefoni.ldap_config.leaver_settings):

- mode: "missing" (gone from the search base, or disabled), "disabled" (only entries that
  match disabled_filter), "off" (nobody is marked as left by the directory);
- max_count, max_percent: one run marks and moves at most max(max_count, max_percent % of
  the people linked to the directory); a run that would do more changes nothing.

A person is *linked to the directory* when they have an employee number or a user account
without a local password (django-auth-ldap gives directory users none). People entered by
hand with neither are never touched by the sync: Tele kundtjänst marks them as left.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from .models import Person

log = logging.getLogger(__name__)

# Sent after the marking is committed, with person_ids=[...] of the people who left.
person_left = Signal()


def mark_left(person, *, actor, reason):
    person.is_active = False
    person._history_user = actor
    person._change_reason = reason
    person.save(update_fields=["is_active"])
    if person.user_id is not None:
        user = get_user_model().objects.select_for_update().get(pk=person.user_id)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            log.info("User %s deactivated: %s", user.get_username(), reason)


def send_left_on_commit(person_ids):
    if not person_ids:
        return
    transaction.on_commit(lambda: person_left.send(sender=Person, person_ids=list(person_ids)))


@transaction.atomic
def person_mark_left(*, actor, person, reason=""):
    """X-3: mark a person as left (inactive, account deactivated) and have what they hold
    flagged for handover or cancellation. A person already marked is refused."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if not locked.is_active:
        raise ValidationError(
            _("%(name)s is already marked as having left.") % {"name": locked.full_name}
        )
    reason = (reason or "").strip()
    mark_left(
        locked,
        actor=actor,
        reason=_("Left the municipality: %(reason)s") % {"reason": reason}
        if reason
        else _("Left the municipality"),
    )
    send_left_on_commit([locked.pk])
    person.is_active = False
    return locked
