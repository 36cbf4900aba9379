"""django-axes hooks: how failed sign-ins are counted."""

from django.contrib.auth import get_user_model


def throttle_username(request, credentials=None):
    """The directory matches usernames ignoring case, so the throttle does too:
    'Tove' and 'tove' share one count."""
    username = (credentials or {}).get("username")
    if username is None:
        username = getattr(request, "POST", {}).get("username")
    return (username or "").strip().lower() or None


def failure_not_counted(request, credentials=None):
    """A sign-in the directory never answered is not a guess: don't count it, so people
    retrying during an outage are not locked out after it. Local accounts (a usable
    password) stay throttled, or their passwords could be guessed during an outage."""
    if not getattr(request, "ldap_unavailable", False):
        return False
    local = (
        get_user_model()
        .objects.filter(username__iexact=throttle_username(request, credentials))
        .first()
    )
    return local is None or not local.has_usable_password()
