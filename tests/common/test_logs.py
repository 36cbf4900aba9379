"""Logs: one line per record with time, level, logger, request id and user id; no secret."""

import io
import logging
import re

import pytest
from celery import signals
from django.db import OperationalError, connections

from common.logs import OneLineFormatter

LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) (?P<level>[A-Z]+) "
    r"(?P<logger>[\w.]+) request=(?P<request>\S+) user=(?P<user>\S+) (?P<message>.*)$"
)


@pytest.fixture
def log_lines():
    """What the configured stdout handler (settings.LOGGING) writes, as a list of lines."""
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, OneLineFormatter)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: buffer.getvalue().splitlines()
    finally:
        handler.setStream(previous)


def _parsed(lines, logger):
    found = [LINE.match(line) for line in lines]
    assert all(found), lines
    return [match.groupdict() for match in found if match["logger"] == logger]


def test_a_request_logs_one_line_with_its_id_and_the_user_and_no_secret(
    matrix_client, world, log_lines
):
    client = matrix_client("employee")
    # Not allowed for an employee: Django logs the 403. The PIN is in the query and the body.
    response = client.post("/kostnadsstallen/import/?pin=4711", {"pin": "4711", "note": "hemlig"})
    assert response.status_code == 403
    lines = log_lines()
    (record,) = _parsed(lines, "django.request")
    assert record["level"] == "WARNING"
    assert record["request"] == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", record["request"])
    assert record["user"] == str(world.people["employee"].user.pk)
    # Django adds the traceback of the PermissionDenied, on the same line.
    assert record["message"].startswith(
        "Forbidden (Permission denied): /kostnadsstallen/import/\\nTraceback"
    )
    assert len(lines) == 1
    output = "\n".join(lines)
    assert "4711" not in output and "hemlig" not in output


def test_a_failed_request_is_one_line_with_its_traceback(matrix_client, log_lines, monkeypatch):
    client = matrix_client("employee")
    client.raise_request_exception = False

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    with monkeypatch.context() as patch:
        patch.setattr(connections["default"], "cursor", unreachable)
        response = client.get("/")
    assert response.status_code == 500
    (record,) = _parsed(log_lines(), "django.request")
    assert record["level"] == "ERROR"
    assert record["request"] == response["X-Request-ID"]
    # The user could not be loaded (that is what failed); logging does not try again.
    assert record["user"] == "-"
    assert record["message"].startswith("Internal Server Error: /\\nTraceback (most recent call")
    assert record["message"].endswith("could not connect to server")


def test_the_proxy_request_id_is_kept_and_a_malformed_one_replaced(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a")
    assert response["X-Request-ID"] == "4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a"
    response = client.get("/healthz", HTTP_X_REQUEST_ID="id med\nradbrytning")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_task_logs_with_its_task_id(log_lines):
    log = logging.getLogger("costs.tasks")
    signals.task_prerun.send(sender=None, task_id="7d0c3f7e-task", task=None)
    log.warning("usage import %s failed", 12)
    signals.task_postrun.send(sender=None, task_id="7d0c3f7e-task", task=None)
    log.warning("outside any task")
    first, second = _parsed(log_lines(), "costs.tasks")
    assert (first["request"], first["user"], first["message"]) == (
        "7d0c3f7e-task",
        "-",
        "usage import 12 failed",
    )
    assert second["request"] == "-"


def test_a_line_break_in_a_message_stays_on_the_line(log_lines):
    logging.getLogger("organisation.services").warning("first\nsecond\r\nthird")
    lines = log_lines()
    assert len(lines) == 1
    assert lines[0].endswith(" first\\nsecond\\nthird")


def test_gunicorn_access_lines_carry_the_request_id_of_the_response():
    from common.logs import ContextFilter

    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '"%(m)s %(U)s" %(s)s', None, None
    )
    record.args = {"m": "GET", "U": "/healthz", "s": "200", "{x-request-id}o": "abc123"}
    ContextFilter().filter(record)
    line = OneLineFormatter().format(record)
    assert LINE.match(line)["request"] == "abc123"
    assert line.endswith(' gunicorn.access request=abc123 user=- "GET /healthz" 200')
