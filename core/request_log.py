"""Structured logs: one line per request, context on every record, personal numbers masked.

`RequestLogMiddleware` gives each request an id (the caller's X-Request-ID when it looks like
one, else a new one), echoes it in the response and logs one line when the request ends: method,
path (never the query string, where searches carry names and numbers), status, duration, user id.
`ContextFilter` adds the request id to every record logged while the request runs, and the task
name and id to every record a Celery task logs. `PersonalNumberMaskFilter` masks ID-number-,
bank-card- and mobile-phone-like digit runs in every message and traceback, in case a number
reached a message by a path nobody thought of.

settings.LOGGING puts both filters on the one console handler; DIXIAN_LOG_FORMAT picks JSON
lines (python-json-logger) or plain text.
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from core.masking import mask_account, mask_id_number, mask_phone

logger = logging.getLogger("dixian.request")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
# A caller's id is kept only if it is short and plain: it goes into every log line.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Probes and scrapes come every few seconds; they are logged only at DEBUG.
QUIET_PATHS = ("/healthz", "/metrics")

# An 18-character ID number (the last may be X), a 15-digit old one or a 19-digit bank card
# (most debit cards here), and a mainland mobile number. Region codes (12 digits), household
# numbers (16: the village code and a sequence) and dates stay readable, for the operator.
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_LONG_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{15}|[0-9]{19})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_personal_numbers(text: str) -> str:
    text = _ID_NUMBER.sub(lambda match: mask_id_number(match.group()), text)
    text = _LONG_NUMBER.sub(lambda match: mask_account(match.group()), text)
    return _MOBILE.sub(lambda match: mask_phone(match.group()), text)


def new_request_id() -> str:
    """A random id the log's masking leaves alone: about one uuid4 hex in a thousand holds a run
    of digits that reads as a mobile or an ID number, and would be logged half starred, unlike
    the X-Request-ID header the operator searches the log for."""
    while True:
        request_id = uuid.uuid4().hex
        if mask_personal_numbers(request_id) == request_id:
            return request_id


class PersonalNumberMaskFilter(logging.Filter):
    """Defence in depth: a full ID or phone number never reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info:
            # Formatted once here, masked, and kept as text: the formatters then print exc_text
            # instead of formatting the exception (and its unmasked values) again.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info)
        # Extra fields become JSON keys of their own: Celery's "received" line puts the task's
        # arguments in `data`, for instance.
        for name, value in record.__dict__.items():
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str | dict | list | tuple):
                setattr(record, name, _masked(value))
        return True


_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _masked(value):
    if isinstance(value, str):
        return mask_personal_numbers(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


class ContextFilter(logging.Filter):
    """The request id, or the Celery task's name and id, on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        from celery import current_task

        task = current_task._get_current_object() if current_task else None
        if task is not None and task.request.id and not hasattr(record, "task_id"):
            record.task_name, record.task_id = task.name, task.request.id
        return True


def _user_id(request: HttpRequest) -> int | None:
    # Only a user already loaded: logging must not cost a session read of its own.
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else new_request_id()
        # An attribute of this request alone, which HttpRequest does not declare.
        setattr(request, "request_id", request_id)  # noqa: B010
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            quiet = request.path_info.startswith(QUIET_PATHS)
            logger.log(
                logging.DEBUG if quiet else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


# gunicorn's error log names what it could not parse by quoting it, and a failed request by its
# URI: "Invalid request from ip=…: Invalid HTTP Version: 'GET /households/?q=… HTTP/9'",
# "Error handling request GET /members/?id_number=…". Any path or query string may carry a name
# or a number typed into a search.
_GUNICORN_INVALID = re.compile(r"(Invalid request from ip=[^:]*): ([^:'\"(\[]*)")
_GUNICORN_FAILED = re.compile(r"(Error handling request(?: [A-Z]+)?) \S+")


class GunicornRequestLineFilter(logging.Filter):
    """On gunicorn's error logger: the kind of error and the client's address, never the raw
    request line or URI (the request log has the path of every request that reached Django)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if invalid := _GUNICORN_INVALID.match(message):
            kind = invalid.group(2).strip() or "unparsable request"
            record.msg, record.args = f"{invalid.group(1)}: {kind} (request line not logged)", None
        elif failed := _GUNICORN_FAILED.match(message):
            record.msg, record.args = f"{failed.group(1)} (URI not logged)", None
        return True
