"""Real services for tests: skip with a reason when absent, fail in CI (see conftest)."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest


def _per_worker(url):
    """Under pytest-xdist each worker flushes and serves its own Redis database: gw0 the
    one given, gw1 two below it, and so on (one below is left to CELERY_BROKER_URL, which
    .ci/run puts there)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parsed = urlparse(url)
    database = int(parsed.path.strip("/") or 0) - 2 * int(worker[2:])
    return parsed._replace(path=f"/{database % 16}").geturl()


REDIS_URL = _per_worker(os.environ.get("TELEFONI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


def _port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_redis():
    url = urlparse(REDIS_URL)
    if not _port_open(url.hostname or "127.0.0.1", url.port or 6379):
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    return REDIS_URL


def require_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")


def require_slapd():
    try:
        import slapdtest  # noqa: F401
    except ImportError:
        pytest.skip("python-ldap (slapdtest) is not installed")
    if not (shutil.which("slapd") or os.path.exists("/usr/sbin/slapd")):
        pytest.skip("slapd is not installed (apt-get install slapd ldap-utils)")


@contextmanager
def running_slapd(suffix, ldif, *, size_limit=None):
    """A real slapd (python-ldap's slapdtest) with the core, cosine, inetOrgPerson and nis
    schemas, the organisation `suffix` and the entries `ldif` loaded; stopped on exit.
    `size_limit` answers at most that many entries a search (except page by page), as
    Active Directory answers at most 1000."""
    require_slapd()
    import tempfile  # noqa: PLC0415 -- only where slapd runs

    from slapdtest import SlapdObject  # noqa: PLC0415 -- python-ldap is optional
    from slapdtest._slapdtest import SLAPD_CONF_TEMPLATE  # noqa: PLC0415

    class TestSlapd(SlapdObject):
        openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif", "nis.ldif")
        TMPDIR = tempfile.gettempdir()

    TestSlapd.suffix = suffix
    if size_limit is not None:
        TestSlapd.slapd_conf_template = SLAPD_CONF_TEMPLATE.replace(
            "olcTLSVerifyClient: try\n",
            "olcTLSVerifyClient: try\n"
            f"olcSizeLimit: size.soft={size_limit} size.hard={size_limit} "
            "size.prtotal=unlimited\n",
        )
    server = TestSlapd()
    server.start()
    try:
        dc = suffix.split(",")[0].split("=")[1]
        server.ldapadd(
            f"dn: {suffix}\nobjectClass: dcObject\nobjectClass: organization\n"
            f"dc: {dc}\no: Kommunen\n\n" + ldif
        )
        yield server
    finally:
        server.stop()


def require_chromium():
    path = os.environ.get("TELEFONI_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        pytest.skip(f"Chromium is not installed at {path}")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed")
    return path


def _forget_connections(app):
    """Drop the app's references to the broker it first connected to, so that the next
    publish connects to the broker configured now.

    The app keeps three, none of which `app.close()` clears: its connection pool, the
    producer pool in `app.amqp` (every `delay()` publishes through it) and the control
    mailbox's own copy of that producer pool (`app.control.ping()` and the other
    broadcasts publish through it). Whichever broker the process published to first would
    otherwise get every later task and ping, and a test worker listening on another
    broker would never see them. Celery drops the same three after a fork. Nothing is
    closed: kombu keeps the pools in global groups keyed by broker URL and would hand a
    closed pool out again for that URL."""
    app._pool = None
    app.amqp._producer_pool = None
    app.control.mailbox.__dict__.pop("producer_pool", None)


@contextmanager
def celery_broker(url):
    """Point the Celery app at another broker for a while. Celery's Settings.broker_url
    prefers the CELERY_BROKER_URL environment variable (CI sets it) over app.conf, so both
    are changed."""
    from telefoni.celery import app

    previous_conf, previous_env = app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    _forget_connections(app)
    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    try:
        yield app
    finally:
        _forget_connections(app)
        app.conf.broker_url = previous_conf
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env


def require_pdftotext():
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")


def pdf_metadata(data, tmp_path):
    """The XMP metadata of PDF bytes as pdfinfo prints it (PDF/A's pdfaid:part is in it)."""
    require_pdftotext()  # pdfinfo comes with pdftotext (poppler-utils)
    path = tmp_path / "meta.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdfinfo", "-meta", str(path)], check=True, capture_output=True, text=True
    ).stdout


def pdf_text(data, tmp_path):
    """The text of PDF bytes as pdftotext reads it (layout kept): how tests read PDFs back."""
    require_pdftotext()
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def wait_for(predicate, timeout=30):
    """Poll `predicate` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def outbox_drained(timeout=30):
    """Wait until a real worker has sent every mail written to the outbox: a sweep's mail
    is queued as its own task (common.tasks.send_outbox) after the sweep commits, so it
    leaves a moment after the sweep's task has finished."""
    from common.models import OutboxMessage

    return wait_for(
        lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(), timeout
    )
