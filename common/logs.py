"""One log line per record: time, level, logger, request id, user id, message.

    2026-12-02T04:05:06.123+00:00 WARNING django.request request=9f2c41d0 user=42 Not Found: /x

`RequestIdMiddleware` gives every request an id (the proxy's X-Request-ID when it sent a
well-formed one, else a new one) and answers with it in X-Request-ID; `ContextFilter` puts
the id and the signed-in user's id on every record logged while the request runs (a Celery
task's records get the task id: telefoni/celery.py binds it). A record's message and
traceback are written on that one line, their line breaks as a literal "\\n".

What is never logged: only the record's own message is written, never the request's
parameters, body or headers (Django's django.request records carry the request object;
this formatter leaves it out), so a PIN typed in a form, an uploaded call list or the name
searched for in telesök does not reach the log. Messages name objects by id.
"""

import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.log import log_response

# (request id, request or None) of the request or task this thread is working on.
_context: ContextVar[tuple[str, object] | None] = ContextVar("telefoni_log_context", default=None)

# What an id from the proxy may look like (nginx's $request_id is 32 hex digits).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# gunicorn's access log names the response header's value under this key.
_GUNICORN_REQUEST_ID = "{x-request-id}o"


def bind(request_id, request=None):
    """Set the id (and request) the records of this thread carry; returns a reset token."""
    return _context.set((request_id, request))


def unbind(token):
    try:
        _context.reset(token)
    except ValueError:  # a token of another context (a task pool that switched threads)
        _context.set(None)


def current_request_id():
    context = _context.get()
    return context[0] if context else None


def new_request_id():
    return uuid.uuid4().hex


def _user_id(request):
    """The signed-in user's id, read only when authentication has already loaded the user:
    logging never queries the database (it may be what is down)."""
    user = getattr(request, "_cached_user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.pk)
    return "-"


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every record of a request carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        token = bind(request_id, request)
        try:
            response = self.get_response(request)
            # Django logs a 4xx/5xx response that no exception caused once the middleware
            # chain has returned, which is outside this context: log it here, inside.
            if response.status_code >= 400 and not getattr(response, "_has_been_logged", False):
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
        finally:
            unbind(token)
        response["X-Request-ID"] = request_id
        return response


class ContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record (a dash when there is none)."""

    def filter(self, record):
        context = _context.get()
        if context is not None:
            request_id, request = context
            record.request_id = request_id
            record.user_id = _user_id(request)
        else:
            # gunicorn's access line is written after the response, outside the request;
            # its arguments hold the X-Request-ID header the middleware answered with.
            args = record.args if isinstance(record.args, dict) else {}
            found = args.get(_GUNICORN_REQUEST_ID)
            record.request_id = found if found and found != "-" else "-"
            record.user_id = "-"
        return True


def _one_line(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


class OneLineFormatter(logging.Formatter):
    """time (ISO 8601, UTC, milliseconds), level, logger, request=, user=, message. UTC:
    gunicorn's master logs before Django sets TIME_ZONE, and one stream must sort."""

    def format(self, record):
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        if record.stack_info:
            message = f"{message}\n{self.formatStack(record.stack_info)}"
        when = datetime.fromtimestamp(record.created, tz=UTC)
        return (
            f"{when.isoformat(timespec='milliseconds')} {record.levelname} {record.name} "
            f"request={getattr(record, 'request_id', '-')} user={getattr(record, 'user_id', '-')} "
            f"{_one_line(message)}"
        )


def logging_config(level="INFO", loggers=None):
    """The dictConfig of settings.LOGGING, also used by gunicorn (deploy/gunicorn.conf.py):
    one handler to stdout with the filter and the formatter above."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "common.logs.ContextFilter"}},
        "formatters": {"line": {"()": "common.logs.OneLineFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["context"],
                "formatter": "line",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": dict(loggers or {}),
    }
