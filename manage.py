#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telefoni.settings")
    # A bare checkout (no DJANGO_DEBUG, no secret key, no DATABASE_URL) is a developer's
    # machine on the embedded SQLite default: run management commands in debug mode there
    # instead of failing on the missing secret key. Deployments set these variables
    # (docker-compose.yml sets DJANGO_DEBUG=0), and the web and Celery processes never
    # take this default.
    if not any(
        os.environ.get(name) for name in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL")
    ):
        os.environ["DJANGO_DEBUG"] = "1"
    from django.core.management import execute_from_command_line  # noqa: PLC0415 -- Django's own manage.py shape: settings first

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
