"""Signal receivers of the organisation app (imported from OrganisationConfig.ready)."""

from django.dispatch import receiver

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
