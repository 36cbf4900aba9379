"""gunicorn's configuration: `gunicorn -c deploy/gunicorn.conf.py telefoni.wsgi:application`
(scripts/entrypoint web). Every value can be changed by the environment variable named.
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The app's directory (this file's parent's parent), for common.logs below.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common.logs import logging_config  # noqa: E402

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")
# Synchronous workers: a page is short, and an upload only stores the file (the import
# runs in a Celery worker). 2 per core plus one, at most 8, unless GUNICORN_WORKERS says.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
# A request still running after this many seconds is killed (and logged). The longest
# legitimate request is an export or the upload of a 100 MB operator file.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
# On SIGTERM (docker stop, an upgrade) running requests get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# A worker is replaced after about this many requests (memory that creeps is given back).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# The heartbeat files of the workers live in memory, not on the container's disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# X-Forwarded-Proto is believed only from the proxy (nginx sets it and drops the client's):
# FORWARDED_ALLOW_IPS is the proxy's address (docker-compose.yml gives it a fixed one).
# From any other address the header is ignored and the request stays http, so
# SECURE_SSL_REDIRECT sends it to https.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Logs: to stdout, one line each in the app's format (common.logs). The access line has
# the path without its query string (a telesök search would name a person), the status,
# the size, the time in ms, the client's address as the proxy saw it and the user agent;
# the request id is the X-Request-ID the app answered with.
accesslog = "-"
errorlog = "-"
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms client=%({x-forwarded-for}i)s "%(a)s"'
_level = os.environ.get("GUNICORN_LOG_LEVEL", "info").upper()
logconfig_dict = logging_config(
    _level,
    loggers={
        "gunicorn.error": {"level": _level, "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
)
