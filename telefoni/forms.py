from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The Django login form with Swedish messages and an LDAP-down message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Note that both are case-sensitive."),
        "directory_unavailable": _(
            "The sign-in service (the directory) is not answering right now. "
            "Try again in a few minutes; if it persists, call Tele kundtjänst."
        ),
    }

    def get_invalid_login_error(self):
        if getattr(self.request, "ldap_unavailable", False):
            return ValidationError(
                self.error_messages["directory_unavailable"], code="directory_unavailable"
            )
        return super().get_invalid_login_error()
