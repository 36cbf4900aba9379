from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The fictional municipality of `manage.py seed_demo`. It sits above every other app
    (it fills them all), and nothing imports it."""

    name = "demo"
    verbose_name = _("Demo data")
