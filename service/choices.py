from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """SRV-2: how a callback message reached its recipient. The app sends the e-mail
    itself; an SMS or a voicemail is passed on by hand and only recorded."""

    EMAIL = "email", _("E-mail (sent by Telefoni)")
    SMS = "sms", _("SMS (sent by hand)")
    VOICEMAIL = "voicemail", _("Voicemail (left by hand)")


# Channels passed on by hand: the one who records the message confirms it is done.
BY_HAND = (Channel.SMS, Channel.VOICEMAIL)


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a callback")
    DONE = "done", _("Contacted")
