"""RQ queues for the code that enqueues (web requests, jobs, commands).

django-rq builds a new Redis client, with a new connection pool, for every
`get_queue()` of a URL-configured queue: each enqueue then paid a fresh TCP
connection and the server-version probe RQ caches on the client. Here one
client per URL lives for the process (its pool is fork- and thread-safe).
It connects within the cache's REDIS_TIMEOUT_SECONDS, and waits at most
COMMAND_TIMEOUT_SECONDS for an answer: long enough for a busy Redis (a
worker's maintenance goes through it too), short enough that an enqueue
after commit never hangs on a stalled one. Workers (`rqworker`) keep
django-rq's own connections.
"""

from functools import lru_cache

import django_rq
from django.conf import settings
from redis import Redis
from rq import Queue

COMMAND_TIMEOUT_SECONDS = 5


@lru_cache(maxsize=4)
def _client(url: str, connect_timeout: float) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=connect_timeout, socket_timeout=COMMAND_TIMEOUT_SECONDS)


def get_queue(name: str = "default") -> Queue:
    """The RQ queue `name` of settings.RQ_QUEUES, on this process's client for its URL."""
    client = _client(settings.RQ_QUEUES[name]["URL"], settings.REDIS_TIMEOUT_SECONDS)
    return django_rq.get_queue(name, connection=client)
