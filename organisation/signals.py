"""Signals the organisation app sends, and its receivers (imported from
OrganisationConfig.ready)."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import Person

# Sent after the move is committed, with moves={person id: (old unit id, new unit id)}:
# a person changed unit, by the directory sync, at sign-in or by hand (DEV-4: subscriptions
# flags the phones left on the old unit's cost centre). organisation imports no app above.
person_moved = Signal()


def send_person_moved_on_commit(moves: Mapping[int, tuple[int, int]]) -> None:
    moves = {pk: pair for pk, pair in moves.items() if pair[0] != pair[1]}
    if moves:
        transaction.on_commit(lambda: person_moved.send(sender=Person, moves=dict(moves)))


@receiver(post_save, sender=Person, dispatch_uid="organisation.tell_person_moved")
def tell_person_moved(sender, instance, created=False, raw=False, **kwargs):
    """A saved person whose unit changed has moved: by hand (the admin, an entry edit or
    change request), at sign-in, or by one save of the directory sync (whose bulk writes
    send the signal themselves)."""
    saved = getattr(instance, "_saved_unit_id", None)
    if not created and not raw and saved is not None and saved != instance.unit_id:
        send_person_moved_on_commit({instance.pk: (saved, instance.unit_id)})
    instance._saved_unit_id = instance.unit_id


try:
    import ldap
    from django_auth_ldap.backend import ldap_error
except ImportError:  # python-ldap is optional: `make run` may sign in with local accounts only
    ldap = ldap_error = None


if ldap_error is not None:
    # The directory is not answering, as opposed to refusing the username or password.
    DIRECTORY_UNREACHABLE = (
        ldap.SERVER_DOWN,
        ldap.CONNECT_ERROR,
        ldap.TIMEOUT,
        ldap.TIMELIMIT_EXCEEDED,
        ldap.UNAVAILABLE,
        ldap.BUSY,
    )

    @receiver(ldap_error, dispatch_uid="organisation.mark_directory_unavailable")
    def mark_directory_unavailable(sender, request=None, exception=None, **kwargs):
        """Tell the login form (telefoni.forms.LoginForm) to say the directory is down."""
        if request is not None and isinstance(exception, DIRECTORY_UNREACHABLE):
            request.ldap_unavailable = True
