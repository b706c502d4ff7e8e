"""Gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`."""

import multiprocessing
import os
import shutil
import sys
from pathlib import Path

from gunicorn.glogging import Logger

from config.logs import JsonStderr, gunicorn_logging
from config.observability import RedactFilter, redact

# Each worker writes its metrics here; /metrics sums them (prometheus-client multiprocess mode).
METRICS_DIR = Path(
    os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(Path(__file__).resolve().parent.parent / ".data" / "prometheus")
    )
)

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = None  # config.observability logs one JSON line per request instead
errorlog = "-"
sys.stderr = JsonStderr(sys.stderr)  # every line JSON, whoever writes it
logconfig_dict = gunicorn_logging()  # its own lines as JSON too (config/logs.py)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

REDACT = RedactFilter()


class RedactingLogger(Logger):
    """Gunicorn's own lines without query strings or calendar-feed tokens
    (config.observability), even with an access log turned on
    (`--access-logfile -`) in any access_log_format."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(REDACT)  # "Error handling request /path?query"

    def access(self, resp, req, environ, request_time):
        """Only when asked for (`--access-logfile`): gunicorn logs every request
        whenever a `logconfig_dict` is set, doubling config.observability's line."""
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time):
        atoms = {
            name: redact(value) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }
        atoms["q"] = atoms["{query_string}e"] = "-"
        return atoms


logger_class = RedactingLogger


def on_starting(server):
    """Forget the figures of a previous run before any worker writes."""
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    METRICS_DIR.mkdir(parents=True)


def post_worker_init(worker):
    """Each worker, once the app is loaded, logs stored values its keys cannot
    open (config.E008); serving goes on for the rest."""
    from config.checks import log_field_key_errors

    log_field_key_errors()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
