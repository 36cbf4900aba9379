from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """Telesök: the read side over organisation and subscriptions (DIR-2, DIR-3).
    It reads every app; nothing imports it."""

    name = "directory"
    verbose_name = _("Telesök")
