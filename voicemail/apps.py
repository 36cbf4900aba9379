from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicemailConfig(AppConfig):
    name = "voicemail"
    verbose_name = _("Voicemail")

    def ready(self):
        # flags the boxes of people who leave (organisation's person_left signal) and
        # tells the compliance dashboard how to load boxes (voicemail/leavers.py).
        from . import leavers, pickers  # noqa: F401, PLC0415 -- signal handlers connect, picker sources register, when the registry is ready
