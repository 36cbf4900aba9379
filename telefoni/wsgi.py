import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telefoni.settings")
application = get_wsgi_application()
# What is loaded now (Django, the URLconf, the apps) lives as long as the process: leave it
# out of every later garbage collection, which then stays short (telesök's p95 had
# collections of 10 ms in it; bench_telesok freezes the same way).
gc.freeze()
