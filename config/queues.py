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

import json
from functools import lru_cache

import django_rq
from django.conf import settings
from redis import Redis
from redis.sentinel import Sentinel
from rq import Queue

COMMAND_TIMEOUT_SECONDS = 5


@lru_cache(maxsize=4)
def _client(config_json: str, connect_timeout: float) -> Redis:
    """One client per queue configuration (a URL, or Sentinels and a master name)."""
    config = json.loads(config_json)
    timeouts = {"socket_connect_timeout": connect_timeout, "socket_timeout": COMMAND_TIMEOUT_SECONDS}
    if "SENTINELS" not in config:
        return Redis.from_url(config["URL"], **timeouts)
    sentinel = Sentinel(
        config["SENTINELS"],
        sentinel_kwargs=config["SENTINEL_KWARGS"],
        password=config["PASSWORD"],
        **timeouts,
    )
    # The master Sentinel names now, asked again whenever a connection to it fails.
    return sentinel.master_for(config["MASTER_NAME"], db=config["DB"])


def get_queue(name: str = "default") -> Queue:
    """The RQ queue `name` of settings.RQ_QUEUES, on this process's kept client."""
    config = json.dumps(settings.RQ_QUEUES[name], sort_keys=True)
    return django_rq.get_queue(name, connection=_client(config, settings.REDIS_TIMEOUT_SECONDS))
