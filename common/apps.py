from django.apps import AppConfig
from django.db.backends.signals import connection_created

from .collation import register_swedish_collation


class CommonConfig(AppConfig):
    name = "common"

    def ready(self):
        # Before any migration or query: every SQLite connection knows the SWEDISH collation.
        connection_created.connect(register_swedish_collation, dispatch_uid="swedish_collation")
