"""config/gunicorn.py for the bench's floor (bench/floor.py): the same worker
model, limits and logging; no project hook (the floor has no database or
metrics to look after)."""

from config.gunicorn import *  # noqa: F403


def on_starting(server):
    """The project's server clears the shared metrics folder; the floor leaves it be."""


def post_worker_init(worker):
    """The project's checks its field keys against the database; the floor has none."""


def child_exit(server, worker):
    """No metrics files to mark."""
